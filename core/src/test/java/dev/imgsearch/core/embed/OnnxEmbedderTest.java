package dev.imgsearch.core.embed;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.imgsearch.core.config.BatchPadding;
import dev.imgsearch.core.config.Device;
import dev.imgsearch.core.config.ModelConfig;
import dev.imgsearch.core.preprocess.PreprocessSpec;
import dev.imgsearch.core.preprocess.TorchvisionPreprocessor;
import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import org.assertj.core.data.Offset;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The embedder on the tiny test encoder. It runs with the {@code onnxruntime_gpu} artifact on a
 * machine without a GPU, so it also proves the CPU fallback of the production dependency.
 */
class OnnxEmbedderTest {

  private static OnnxEmbedder embedder;

  static Path tinyModel() {
    try {
      return Path.of(OnnxEmbedderTest.class.getResource("/models/tiny-encoder.onnx").toURI());
    } catch (URISyntaxException e) {
      throw new IllegalStateException(e);
    }
  }

  @BeforeAll
  static void open() {
    embedder = OnnxEmbedder.open(ModelConfig.of(tinyModel()).withIntraOpThreads(1));
  }

  @AfterAll
  static void close() {
    embedder.close();
  }

  @Test
  void readsNamesDimensionAndPreprocessingFromTheModel() {
    ModelInfo info = embedder.model();
    assertThat(info.inputName()).isEqualTo("input");
    assertThat(info.outputName()).isEqualTo("embedding");
    assertThat(embedder.dimension()).isEqualTo(32);
    assertThat(info.name()).isEqualTo("tiny-encoder-seed0");
    assertThat(info.sha256()).hasSize(64);
    assertThat(info.id())
        .startsWith("tiny-encoder-seed0@")
        .hasSize("tiny-encoder-seed0@".length() + 12);
    assertThat(info.preprocess()).isEqualTo(PreprocessSpec.imagenet());
  }

  @Test
  void autoFallsBackToTheCpuWithoutAGpu() {
    // The production artifact carries the CUDA provider; without CUDA libraries it must still run.
    assertThat(embedder.provider()).isIn("CPU", "CUDA device 0");
  }

  @Test
  void aBatchGivesTheSameVectorsAsSingleImages() {
    int size = embedder.preprocessSpec().tensorSize();
    Random random = new Random(7);
    List<float[]> batch = new ArrayList<>();
    for (int b = 0; b < 3; b++) {
      float[] t = new float[size];
      for (int i = 0; i < size; i++) {
        t[i] = (float) random.nextGaussian();
      }
      batch.add(t);
    }
    float[][] together = embedder.embed(batch);
    assertThat(together).hasNumberOfRows(3);
    for (int i = 0; i < 3; i++) {
      float[] alone = embedder.embed(List.of(batch.get(i)))[0];
      assertThat(alone).containsExactly(together[i], org.assertj.core.data.Offset.offset(1e-5f));
      assertThat(norm(alone)).isCloseTo(1.0, org.assertj.core.data.Offset.offset(1e-5));
    }
    assertThat(together[0]).isNotEqualTo(together[1]);
  }

  @Test
  void windowsNormalizedOnTheInferenceThreadGiveTheSameVectorsAsTensors() {
    PreprocessSpec spec = embedder.preprocessSpec();
    TorchvisionPreprocessor preprocessor = new TorchvisionPreprocessor(spec);
    Random random = new Random(11);
    List<byte[]> windows = new ArrayList<>();
    List<float[]> tensors = new ArrayList<>();
    for (int b = 0; b < 4; b++) {
      byte[] window = new byte[spec.crop() * spec.crop() * 3];
      random.nextBytes(window);
      float[] tensor = new float[spec.tensorSize()];
      preprocessor.normalize(window, tensor, 0);
      windows.add(window);
      tensors.add(tensor);
    }
    float[][] fromWindows = embedder.embedWindowsAsync(windows).join();
    float[][] fromTensors = embedder.embed(tensors);
    for (int i = 0; i < 4; i++) {
      assertThat(fromWindows[i]).containsExactly(fromTensors[i]);
    }
    assertThatThrownBy(() -> embedder.embedWindowsAsync(List.of(new byte[10])))
        .hasMessageContaining("10 bytes");
  }

  @Test
  void twoSessionsRunBatchesSideBySideWithTheSameVectorsAsOne() {
    PreprocessSpec spec = embedder.preprocessSpec();
    Random random = new Random(13);
    List<List<byte[]>> batches = new ArrayList<>();
    for (int b = 0; b < 6; b++) {
      List<byte[]> batch = new ArrayList<>();
      for (int i = 0; i < 4; i++) {
        byte[] window = new byte[spec.crop() * spec.crop() * 3];
        random.nextBytes(window);
        batch.add(window);
      }
      batches.add(batch);
    }
    ModelConfig two = ModelConfig.of(tinyModel()).withDevice(Device.CPU).withSessions(2);
    try (OnnxEmbedder pair = OnnxEmbedder.open(two, 8)) {
      assertThat(pair.sessions()).isEqualTo(2);
      assertThat(pair.batchSize()).isEqualTo(4); // the 8 images in flight, split between them
      assertThat(pair.intraOpThreads())
          .isEqualTo(Math.max(1, Runtime.getRuntime().availableProcessors() / 2));
      List<CompletableFuture<float[][]>> all = new ArrayList<>();
      for (List<byte[]> batch : batches) {
        all.add(pair.embedWindowsAsync(batch)); // more than two at once: the rest queue
      }
      for (int b = 0; b < batches.size(); b++) {
        float[][] alone = embedder.embedWindowsAsync(batches.get(b)).join();
        float[][] side = all.get(b).join();
        for (int i = 0; i < alone.length; i++) {
          assertThat(side[i]).containsExactly(alone[i], Offset.offset(1e-6f));
        }
      }
    }
  }

  @Test
  void theCoresAreDividedAmongTheSessionsUnlessTheThreadsAreSet() {
    int cores = Runtime.getRuntime().availableProcessors();
    // One session keeps ONNX Runtime's own thread count unless told otherwise.
    assertThat(OnnxEmbedder.intraOpThreads(ModelConfig.of(tinyModel()), 1)).isZero();
    assertThat(OnnxEmbedder.intraOpThreads(ModelConfig.of(tinyModel()), 2))
        .isEqualTo(Math.max(1, cores / 2));
    assertThat(OnnxEmbedder.intraOpThreads(ModelConfig.of(tinyModel()).withIntraOpThreads(3), 2))
        .isEqualTo(3);
    assertThatThrownBy(() -> ModelConfig.of(tinyModel()).withSessions(0))
        .hasMessageContaining("sessions must be >= 1");
  }

  @Test
  void aMissingModelNamesTheFileAndTheFix(@TempDir Path dir) {
    Path missing = dir.resolve("nope.onnx");
    assertThatThrownBy(() -> OnnxEmbedder.open(ModelConfig.of(missing)))
        .isInstanceOf(ModelException.class)
        .hasMessageContaining(missing.toString())
        .hasMessageContaining("--model");
  }

  @Test
  void aFileThatIsNotOnnxIsRefusedAtLoad(@TempDir Path dir) throws IOException {
    Path bogus = Files.writeString(dir.resolve("bogus.onnx"), "this is not a model");
    assertThatThrownBy(() -> OnnxEmbedder.open(ModelConfig.of(bogus).withDevice(Device.CPU)))
        .isInstanceOf(ModelException.class)
        .hasMessageContaining(bogus.toString())
        .hasMessageContaining("ONNX");
  }

  @Test
  void anExplicitCudaDeviceThatCannotRunIsAClearError() {
    // On a GPU machine this loads; elsewhere it must fail with the fix, not fall back silently.
    try (OnnxEmbedder cuda =
        OnnxEmbedder.open(ModelConfig.of(tinyModel()).withDevice(Device.cuda(0)))) {
      assertThat(cuda.provider()).isEqualTo("CUDA device 0");
    } catch (ModelException e) {
      assertThat(e).hasMessageContaining("cuda:0").hasMessageContaining("--device cpu");
    }
  }

  private static double norm(float[] v) {
    double s = 0;
    for (float x : v) {
      s += x * x;
    }
    return Math.sqrt(s);
  }

  @Test
  void paddedBatchesGiveTheSameVectorsAndNoPaddedRows() {
    int size = embedder.preprocessSpec().tensorSize();
    Random random = new Random(11);
    List<float[]> batch = new ArrayList<>();
    for (int b = 0; b < 3; b++) {
      float[] t = new float[size];
      for (int i = 0; i < size; i++) {
        t[i] = (float) random.nextGaussian();
      }
      batch.add(t);
    }
    ModelConfig padded =
        ModelConfig.of(tinyModel()).withIntraOpThreads(1).withBatchPadding(BatchPadding.BUCKETS);
    try (OnnxEmbedder buckets = OnnxEmbedder.open(padded, 8)) {
      float[][] vectors = buckets.embed(batch); // runs at 4: the next bucket of 3
      float[][] exact = embedder.embed(batch);
      assertThat(vectors).hasDimensions(3, embedder.dimension());
      for (int i = 0; i < 3; i++) {
        assertThat(vectors[i]).containsExactly(exact[i], Offset.offset(1e-5f));
      }
    }
  }

  @Test
  void bucketsArePowersOfTwoUpToTheLargestBatch() {
    BatchShapes shapes = BatchShapes.buckets(24);
    assertThat(shapes.shapeFor(1)).isEqualTo(1);
    assertThat(shapes.shapeFor(3)).isEqualTo(4);
    assertThat(shapes.shapeFor(8)).isEqualTo(8);
    assertThat(shapes.shapeFor(9)).isEqualTo(16);
    assertThat(shapes.shapeFor(17)).isEqualTo(24);
    assertThat(shapes.shapeFor(24)).isEqualTo(24);
    assertThat(shapes.warmUp()).containsExactly(24, 16, 8, 4, 2, 1);
    assertThat(BatchShapes.exact(24).shapeFor(3)).isEqualTo(3);
    assertThat(BatchShapes.exact(24).warmUp()).containsExactly(24);
  }

  @Test
  void theProbeReadsTheModelWithoutAFullLoad() {
    ModelInfo probed = OnnxEmbedder.probe(ModelConfig.of(tinyModel()));
    assertThat(probed).isEqualTo(embedder.model());
  }
}
