package dev.imgsearch.core.preprocess;

import static org.assertj.core.api.Assertions.assertThat;

import dev.imgsearch.core.config.Device;
import dev.imgsearch.core.config.ModelConfig;
import dev.imgsearch.core.embed.Npy;
import dev.imgsearch.core.embed.OnnxEmbedder;
import dev.imgsearch.core.image.DecodedImage;
import dev.imgsearch.core.image.DecoderOptions;
import dev.imgsearch.core.image.ImageDecoder;
import dev.imgsearch.core.testing.TestPhotos;
import dev.imgsearch.core.testing.TestPhotos.Photo;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The Java path against the PyTorch reference path on real photos: PIL decode + EXIF transpose +
 * torchvision {@code Resize(256) -> CenterCrop(224) -> ToTensor -> Normalize}, then onnxruntime in
 * Python on the same ONNX model. The references are committed, so this needs no Python.
 */
class TorchvisionParityTest {

  private static final ImageDecoder DECODER = new ImageDecoder(DecoderOptions.defaults());
  private static final TorchvisionPreprocessor PREPROCESSOR =
      new TorchvisionPreprocessor(PreprocessSpec.imagenet());
  private static OnnxEmbedder embedder;

  static List<Photo> photos() {
    return TestPhotos.all();
  }

  @BeforeAll
  static void openModel() {
    embedder = OnnxEmbedder.open(ModelConfig.of(TestPhotos.tinyModel()).withDevice(Device.CPU));
  }

  @AfterAll
  static void closeModel() {
    embedder.close();
  }

  @ParameterizedTest
  @MethodSource("photos")
  void decodedSizeAndResizedSizeMatchTheReference(Photo photo) throws Exception {
    DecodedImage image = DECODER.decode(photo.bytes());
    assertThat(new int[] {image.width(), image.height()})
        .as("size after EXIF orientation")
        .containsExactly(photo.width(), photo.height());
    assertThat(TorchvisionPreprocessor.resizedSize(image.width(), image.height(), 256))
        .containsExactly(photo.resizedWidth(), photo.resizedHeight());
  }

  @ParameterizedTest
  @MethodSource("photos")
  void preprocessedTensorMatchesTorchvision(Photo photo) throws Exception {
    float[] actual = PREPROCESSOR.preprocess(DECODER.decode(photo.bytes()));
    Npy.FloatArray expected = Npy.read(photo.referenceTensor());
    assertThat(expected.shape()).containsExactly(3, 224, 224);

    double sum = 0;
    double max = 0;
    int differing = 0;
    for (int i = 0; i < actual.length; i++) {
      double d = Math.abs(actual[i] - expected.data()[i]);
      sum += d;
      max = Math.max(max, d);
      if (Float.floatToRawIntBits(actual[i]) != Float.floatToRawIntBits(expected.data()[i])) {
        differing++;
      }
    }
    double mean = sum / actual.length;
    System.out.printf(
        "parity %-22s mean |diff| %.6f  max |diff| %.6f  floats not bit-equal %d%n",
        photo, mean, max, differing);
    assertThat(mean).as("mean absolute difference").isLessThanOrEqualTo(0.01);
    assertThat(max).as("max absolute difference").isLessThanOrEqualTo(0.1);
    // The README's claim: the exact path's tensor is PIL + torchvision's, bit for bit.
    assertThat(differing).as("floats that differ from the reference tensor in any bit").isZero();
  }

  @ParameterizedTest
  @MethodSource("photos")
  void wholePathEmbeddingMatchesPythonOnnxRuntime(Photo photo) throws Exception {
    float[] tensor = PREPROCESSOR.preprocess(DECODER.decode(photo.bytes()));
    float[] actual = embedder.embed(List.of(tensor))[0];
    float[] expected = Npy.read(photo.referenceTinyEmbedding()).data();
    double cosine = cosine(actual, expected);
    System.out.printf("parity %-22s embedding cosine %.6f%n", photo, cosine);
    assertThat(cosine).isGreaterThanOrEqualTo(0.999);
  }

  static double cosine(float[] a, float[] b) {
    double dot = 0;
    double na = 0;
    double nb = 0;
    for (int i = 0; i < a.length; i++) {
      dot += (double) a[i] * b[i];
      na += (double) a[i] * a[i];
      nb += (double) b[i] * b[i];
    }
    return dot / Math.sqrt(na * nb);
  }
}
