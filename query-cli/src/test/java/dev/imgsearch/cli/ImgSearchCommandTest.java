package dev.imgsearch.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.imgsearch.options.ExitCodes;
import java.io.PrintWriter;
import java.io.StringWriter;
import org.junit.jupiter.api.Test;

/** Parsing, help and the exit codes of errors that need no Milvus and no model. */
class ImgSearchCommandTest {

  private record Run(int code, String out, String err) {}

  private static Run run(String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    int code =
        ImgSearchCli.commandLine(new PrintWriter(out, true), new PrintWriter(err, true))
            .execute(args);
    return new Run(code, out.toString(), err.toString());
  }

  @Test
  void helpListsTheSubcommands() {
    Run run = run("--help");
    assertThat(run.code()).isZero();
    assertThat(run.out()).contains("search", "embed", "stats", "duplicates", "prune", "help");
  }

  @Test
  void helpNeverShowsTheTokenValue() {
    Run run = run("search", "--help", "--token", "user:secret");
    assertThat(run.code()).isZero();
    assertThat(run.out()).contains("--token").doesNotContain("secret");
  }

  @Test
  void unknownOptionIsBadInputOnOneLine() {
    Run run = run("search", "--bogus", "a.jpg");
    assertThat(run.code()).isEqualTo(ExitCodes.BAD_INPUT);
    assertThat(run.err().lines()).hasSize(1);
    assertThat(run.err())
        .startsWith("error: Unknown option: '--bogus'")
        .contains("imgsearch search --help");
  }

  @Test
  void nprobeAndEfExcludeEachOther() {
    Run run = run("search", "--nprobe", "8", "--ef", "64", "a.jpg");
    assertThat(run.code()).isEqualTo(ExitCodes.BAD_INPUT);
    assertThat(run.err()).contains("mutually exclusive");
  }

  @Test
  void jsonAndNpyExcludeEachOther() {
    Run run = run("embed", "--json", "--npy", "x.npy", "a.jpg");
    assertThat(run.code()).isEqualTo(ExitCodes.BAD_INPUT);
  }

  @Test
  void missingModelIsBadInput() {
    Run run = run("embed", "--model", "/no/such/model.onnx", "a.jpg");
    assertThat(run.code()).isEqualTo(ExitCodes.BAD_INPUT);
    assertThat(run.err()).startsWith("error: model file /no/such/model.onnx does not exist");
  }

  @Test
  void badDeviceIsBadInput() {
    Run run = run("embed", "--model", "pom.xml", "--device", "tpu", "a.jpg");
    assertThat(run.code()).isEqualTo(ExitCodes.BAD_INPUT);
    assertThat(run.err()).contains("--device").contains("tpu");
  }

  @Test
  void badUriIsBadInput() {
    Run run = run("stats", "--milvus-uri", "ftp://x");
    assertThat(run.code()).isEqualTo(ExitCodes.BAD_INPUT);
    assertThat(run.err()).contains("must start with http:// or https://");
  }

  @Test
  void kOutOfRangeIsBadInput() {
    Run run = run("search", "--model", "pom.xml", "-k", "0", "a.jpg");
    assertThat(run.code()).isEqualTo(ExitCodes.BAD_INPUT);
    assertThat(run.err()).contains("-k is 0");
  }
}
