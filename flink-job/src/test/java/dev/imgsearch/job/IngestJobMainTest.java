package dev.imgsearch.job;

import static org.assertj.core.api.Assertions.assertThat;

import dev.imgsearch.core.testing.TestPhotos;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
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
    assertThat(out.toString())
        .contains("--source=DIR", "--model=FILE", "--mode=watch|once", "Default: watch")
        .contains("--batch-size", "Default: 32", "--max-batch-wait-ms", "Default: 50")
        .contains("--device", "--parallelism", "--embed-parallelism", "--checkpoint-interval-ms")
        .contains("--dead-letter", "--extensions", "--max-pixels", "--metric", "--index")
        .contains("--milvus-uri", "--collection", "Default: image_search");
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
    assertThat(err.toString()).contains("--mode must be watch or once, got 'sometimes'");
    err.getBuffer().setLength(0);
    assertThat(run("--source", dir.resolve("nope").toString(), "--model", model)).isEqualTo(2);
    assertThat(err.toString()).contains("is not a folder");
    err.getBuffer().setLength(0);
    assertThat(run("--source", dir.toString(), "--model", model, "--batch-size", "0")).isEqualTo(2);
    assertThat(err.toString()).contains("batch size must be between 1 and 1024, got 0");
    err.getBuffer().setLength(0);
    assertThat(run("--source", dir.toString(), "--model", model, "--device", "tpu")).isEqualTo(2);
    assertThat(err.toString()).contains("use auto, cpu, cuda or cuda:N");
    err.getBuffer().setLength(0);
    assertThat(run("--source", dir.toString(), "--model", model, "--metric", "hamming"))
        .isEqualTo(2);
    assertThat(err.toString()).contains("COSINE, L2, IP");
  }

  @Test
  void aMissingModelFailsAtStartUpNamingTheFile(@TempDir Path dir) throws Exception {
    Path missing = dir.resolve("resnet50.onnx");
    assertThat(run("--source", dir.toString(), "--model", missing.toString(), "--mode", "once"))
        .isEqualTo(1);
    assertThat(err.toString()).contains(missing.toString()).contains("--model");
  }
}
