package dev.imgsearch.job;

import static org.assertj.core.api.Assertions.assertThat;

import dev.imgsearch.core.testing.TestPhotos;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The job's command line: help, and clear errors instead of stack traces. */
class IngestJobMainTest {
  private final StringWriter out = new StringWriter();
  private final StringWriter err = new StringWriter();

  private int run(String... args) throws Exception {
    return IngestJobMain.run(args, new PrintWriter(out, true), new PrintWriter(err, true));
  }

  @Test
  void helpListsEveryOptionWithItsDefault() throws Exception {
    assertThat(run("--help")).isZero();
    // Help wraps lines; the words matter, not where the lines break.
    assertThat(out.toString().replaceAll("\\s+", " "))
        .contains("--source=DIR", "--model=FILE", "--mode=watch|once", "Default: watch")
        .contains("--batch-size", "Default: 32", "--max-batch-wait-ms", "Default: 50")
        .contains("--device", "--parallelism", "--embed-parallelism", "--checkpoint-interval-ms")
        .contains("--dead-letter", "--extensions", "--max-pixels", "--metric", "--index")
        .contains("--milvus-uri", "--collection", "Default: image_search");
    // Every flag names the option it sets, so -D and config.yaml users find the same setting.
    assertThat(out.toString().replaceAll("\\s+", ""))
        .contains("(-Dimgsearch.inference.batch-size)", "(-Dimgsearch.source.path)")
        .contains("(-Dexecution.checkpointing.interval)", "-D=KEY=VALUE");
  }

  @Test
  void unknownOptionsAreAnErrorLineNotAStackTrace(@TempDir Path dir) throws Exception {
    assertThat(run("--source", dir.toString(), "--model", "m.onnx", "--bogus")).isEqualTo(2);
    assertThat(err.toString()).startsWith("error: Unknown option: '--bogus'").contains("--help");
    assertThat(err.toString()).doesNotContain("Exception");
  }

  @Test
  void badValuesNameTheOptionAndTheFix(@TempDir Path dir) throws Exception {
    String model = TestPhotos.tinyModel().toString();
    assertThat(run("--source", dir.toString(), "--model", model, "--mode", "sometimes"))
        .isEqualTo(2);
    assertThat(err.toString())
        .contains("Invalid value for option '--mode': 'sometimes' is not one of watch, once");
    err.getBuffer().setLength(0);
    assertThat(run("--source", dir.resolve("nope").toString(), "--model", model)).isEqualTo(2);
    assertThat(err.toString()).contains("is not a folder");
    err.getBuffer().setLength(0);
    assertThat(run("--source", dir.toString(), "--model", model, "--batch-size", "0")).isEqualTo(2);
    assertThat(err.toString())
        .contains("imgsearch.inference.batch-size (--batch-size) is 0; use 1 to 1024");
    err.getBuffer().setLength(0);
    assertThat(run("--source", dir.toString(), "--model", model, "--device", "tpu")).isEqualTo(2);
    assertThat(err.toString()).contains("use auto, cpu, cuda or cuda:N");
    err.getBuffer().setLength(0);
    assertThat(run("--source", dir.toString(), "--model", model, "--metric", "hamming"))
        .isEqualTo(2);
    assertThat(err.toString()).contains("COSINE, L2, IP");
  }

  @Test
  void aMissingModelIsBadInputNamingTheFile(@TempDir Path dir) throws Exception {
    Path missing = dir.resolve("resnet50.onnx");
    assertThat(run("--source", dir.toString(), "--model", missing.toString(), "--mode", "once"))
        .isEqualTo(2);
    assertThat(err.toString()).contains(missing.toString()).contains("--model");
  }

  @Test
  void aFileThatIsNotAModelFailsAtStartUpNamingTheFileAndTheFix(@TempDir Path dir)
      throws Exception {
    Path images = Files.createDirectories(dir.resolve("in"));
    Files.copy(TestPhotos.all().get(0).path(), images.resolve("photo.jpg"));
    Path deadLetters = dir.resolve("dead-letters");
    Path notOnnx = Files.writeString(dir.resolve("model.onnx"), "<html>404 Not Found</html>");
    byte[] tiny = Files.readAllBytes(TestPhotos.tinyModel());
    Path truncated =
        Files.write(dir.resolve("truncated.onnx"), Arrays.copyOf(tiny, tiny.length / 2));
    Path empty = Files.write(dir.resolve("empty.onnx"), new byte[0]);

    for (Path model : List.of(notOnnx, truncated, empty)) {
      err.getBuffer().setLength(0);
      long t0 = System.nanoTime();
      int code =
          run(
              "--source", images.toString(),
              "--model", model.toString(),
              "--mode", "once",
              "--dead-letter", deadLetters.toString(),
              "--milvus-uri", "http://127.0.0.1:9");
      assertThat(code).as("exit code for %s", model).isEqualTo(1);
      // One line naming the file and what to do, before any Milvus call or job: the Milvus URI
      // above answers nothing, and no record reached the dead-letter output.
      assertThat(err.toString())
          .as("error for %s", model)
          .startsWith("error: ")
          .contains(model.toString())
          .contains("check that the file is a complete ONNX encoder")
          .doesNotContain("\tat ");
      assertThat(Duration.ofNanos(System.nanoTime() - t0)).isLessThan(Duration.ofSeconds(30));
      assertThat(deadLetters).doesNotExist();
    }
  }
}
