package dev.imgsearch.core.image;

import static org.assertj.core.api.Assertions.assertThat;

import dev.imgsearch.core.config.Device;
import dev.imgsearch.core.config.ModelConfig;
import dev.imgsearch.core.embed.Npy;
import dev.imgsearch.core.embed.OnnxEmbedder;
import dev.imgsearch.core.preprocess.PreprocessSpec;
import dev.imgsearch.core.preprocess.TorchvisionPreprocessor;
import dev.imgsearch.core.testing.TestPhotos;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The whole path on a HEIC and an AVIF file against another decoder: libheif's decode (heif-convert
 * to PNG), then PIL + torchvision's {@code Resize(256), CenterCrop(224), ToTensor, Normalize} and
 * onnxruntime, committed by {@code scripts/reference/make_heif.py --tensors}.
 */
class HeifParityTest {

  private static final ImageDecoder DECODER = new ImageDecoder(DecoderOptions.defaults());
  private static final TorchvisionPreprocessor PREPROCESSOR =
      new TorchvisionPreprocessor(PreprocessSpec.imagenet());
  private static OnnxEmbedder embedder;

  @BeforeAll
  static void openModel() {
    embedder = OnnxEmbedder.open(ModelConfig.of(TestPhotos.tinyModel()).withDevice(Device.CPU));
  }

  @AfterAll
  static void closeModel() {
    embedder.close();
  }

  @ParameterizedTest
  @ValueSource(strings = {"heic-phone-grid.heic", "avif-grid-10bit-444.avif"})
  void tensorAndEmbeddingMatchTheReferencePath(String name) throws Exception {
    Path file = TestPhotos.resource("corpus/heif/good/" + name);
    String stem = name.substring(0, name.lastIndexOf('.'));
    float[] actual = PREPROCESSOR.preprocess(DECODER.decode(Files.readAllBytes(file)));
    Npy.FloatArray expected =
        Npy.read(TestPhotos.resource("corpus/heif/reference/" + stem + ".tensor.npy"));
    assertThat(expected.shape()).containsExactly(3, 224, 224);

    double sum = 0;
    double max = 0;
    for (int i = 0; i < actual.length; i++) {
      double d = Math.abs(actual[i] - expected.data()[i]);
      sum += d;
      max = Math.max(max, d);
    }
    float[] embedding = embedder.embed(List.of(actual))[0];
    float[] reference =
        Npy.read(TestPhotos.resource("corpus/heif/reference/" + stem + ".tiny.npy")).data();
    double cosine = cosine(embedding, reference);
    System.out.printf(
        "parity %-26s mean |diff| %.6f  max |diff| %.6f  tiny cosine %.6f%n",
        name, sum / actual.length, max, cosine);
    // One level of 8-bit RGB is 1/255/0.225 = 0.0174 after normalisation.
    assertThat(sum / actual.length).as("mean absolute difference").isLessThanOrEqualTo(0.01);
    assertThat(max).as("max absolute difference").isLessThanOrEqualTo(0.05);
    assertThat(cosine).isGreaterThanOrEqualTo(0.999);
  }

  private static double cosine(float[] a, float[] b) {
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
