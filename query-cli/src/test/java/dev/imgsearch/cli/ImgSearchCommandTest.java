package dev.imgsearch.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.imgsearch.cli.testing.CliRun;
import dev.imgsearch.options.ExitCodes;
import org.junit.jupiter.api.Test;

/** Parsing, help and the exit codes of errors that need no Milvus and no model. */
class ImgSearchCommandTest {

  @Test
  void helpListsTheSubcommands() {
    CliRun run = CliRun.of("--help");
    assertThat(run.exitCode()).isZero();
    assertThat(run.out()).contains("search", "embed", "stats", "duplicates", "prune", "help");
  }

  @Test
  void helpNeverShowsTheTokenValue() {
    CliRun run = CliRun.of("search", "--help", "--token", "user:secret");
    assertThat(run.exitCode()).isZero();
    assertThat(run.out()).contains("--token").doesNotContain("secret");
  }

  @Test
  void unknownOptionIsBadInputOnOneLine() {
    CliRun run = CliRun.of("search", "--bogus", "a.jpg");
    assertThat(run.exitCode()).isEqualTo(ExitCodes.BAD_INPUT);
    assertThat(run.err().lines()).hasSize(1);
    assertThat(run.err())
        .startsWith("error: Unknown option: '--bogus'")
        .contains("imgsearch search --help");
  }

  @Test
  void nprobeAndEfExcludeEachOther() {
    CliRun run = CliRun.of("search", "--nprobe", "8", "--ef", "64", "a.jpg");
    assertThat(run.exitCode()).isEqualTo(ExitCodes.BAD_INPUT);
    assertThat(run.err()).contains("mutually exclusive");
  }

  @Test
  void jsonAndNpyExcludeEachOther() {
    CliRun run = CliRun.of("embed", "--json", "--npy", "x.npy", "a.jpg");
    assertThat(run.exitCode()).isEqualTo(ExitCodes.BAD_INPUT);
  }

  @Test
  void missingModelIsBadInput() {
    CliRun run = CliRun.of("embed", "--model", "/no/such/model.onnx", "a.jpg");
    assertThat(run.exitCode()).isEqualTo(ExitCodes.BAD_INPUT);
    assertThat(run.err()).startsWith("error: model file /no/such/model.onnx does not exist");
  }

  @Test
  void badDeviceIsBadInput() {
    CliRun run = CliRun.of("embed", "--model", "pom.xml", "--device", "tpu", "a.jpg");
    assertThat(run.exitCode()).isEqualTo(ExitCodes.BAD_INPUT);
    assertThat(run.err()).contains("--device").contains("tpu");
  }

  @Test
  void badUriIsBadInput() {
    CliRun run = CliRun.of("stats", "--milvus-uri", "ftp://x");
    assertThat(run.exitCode()).isEqualTo(ExitCodes.BAD_INPUT);
    assertThat(run.err()).contains("must start with http:// or https://");
  }

  @Test
  void kOutOfRangeIsBadInput() {
    CliRun run = CliRun.of("search", "--model", "pom.xml", "-k", "0", "a.jpg");
    assertThat(run.exitCode()).isEqualTo(ExitCodes.BAD_INPUT);
    assertThat(run.err()).contains("-k is 0");
  }
}
