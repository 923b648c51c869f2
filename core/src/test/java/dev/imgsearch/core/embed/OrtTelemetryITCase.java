package dev.imgsearch.core.embed;

import static org.assertj.core.api.Assertions.assertThat;

import dev.imgsearch.core.config.Device;
import dev.imgsearch.core.config.ModelConfig;
import dev.imgsearch.core.testing.TestPhotos;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * ONNX Runtime 1.29's telemetry, in a JVM of its own that opens the embedder as the job does, with
 * its home, cache and temporary folders in a fresh directory: with {@code ORT_DISABLE_TELEMETRY=1}
 * nothing of it is written; without, the embedder warns once with the fix. Whether ORT then writes
 * its device ID depends on the host (it did on this project's development machines, not on the CI
 * machine of 2026-12-03), so that case prints what ORT left rather than asserting it.
 */
class OrtTelemetryITCase {

  private static final String WARNING =
      "only ORT_DISABLE_TELEMETRY=1 in this process's environment";

  @TempDir Path dir;

  @Test
  void withTheVariableOnnxRuntimeWritesNothingOfItsTelemetry() throws Exception {
    Run run = child("1");

    assertThat(run.exit()).as(run.output()).isZero();
    assertThat(run.output()).contains("provider=CPU").doesNotContain(WARNING);
    assertThat(writtenBesidesTheNatives()).as("files ONNX Runtime left").isEmpty();
  }

  @Test
  void withoutItTheEmbedderWarnsOnceWithTheFix() throws Exception {
    Run run = child(null);

    assertThat(run.exit()).as(run.output()).isZero();
    assertThat(run.output()).containsOnlyOnce(WARNING).contains("provider=CPU");
    System.out.println(
        "[ort telemetry] without "
            + OrtRuntime.TELEMETRY_VARIABLE
            + ", ONNX Runtime left: "
            + writtenBesidesTheNatives());
  }

  /** Opens the embedder on the CPU and prints its provider: what the job does at start-up. */
  public static final class OpenEmbedder {
    public static void main(String[] args) {
      ModelConfig config = ModelConfig.of(Path.of(args[0])).withDevice(Device.CPU);
      try (OnnxEmbedder embedder = OnnxEmbedder.open(config)) {
        System.out.println("provider=" + embedder.provider());
      }
    }
  }

  private record Run(int exit, String output) {}

  /** A JVM whose home, XDG cache and temporary folders are under {@link #dir}. */
  private Run child(String telemetryVariable) throws Exception {
    for (String sub : List.of("home", "cache", "tmp", "work")) {
      Files.createDirectories(dir.resolve(sub));
    }
    Path log = dir.resolve("child.log");
    ProcessBuilder builder =
        new ProcessBuilder(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Djava.io.tmpdir=" + dir.resolve("tmp"),
                // JavaCPP's natives stay in the real cache: this test is about ONNX Runtime's files
                "-Dorg.bytedeco.javacpp.cachedir="
                    + Path.of(System.getProperty("user.home"), ".javacpp", "cache"),
                "-cp",
                System.getProperty("java.class.path"),
                OpenEmbedder.class.getName(),
                TestPhotos.tinyModel().toString())
            .directory(dir.resolve("work").toFile())
            .redirectErrorStream(true)
            .redirectOutput(log.toFile());
    Map<String, String> env = builder.environment();
    env.put("HOME", dir.resolve("home").toString());
    env.put("XDG_CACHE_HOME", dir.resolve("cache").toString());
    env.put("TMPDIR", dir.resolve("tmp").toString());
    env.remove(OrtRuntime.TELEMETRY_VARIABLE);
    if (telemetryVariable != null) {
      env.put(OrtRuntime.TELEMETRY_VARIABLE, telemetryVariable);
    }
    Process p = builder.start();
    try (OutputStream in = p.getOutputStream()) {
      // no input
    }
    if (!p.waitFor(2, TimeUnit.MINUTES)) {
      p.destroyForcibly();
      throw new AssertionError("the child JVM ran over 2 min:\n" + Files.readString(log));
    }
    return new Run(p.exitValue(), Files.readString(log, StandardCharsets.UTF_8));
  }

  /** Files under the child's folders, but for ONNX Runtime's own extracted natives and the log. */
  private List<String> writtenBesidesTheNatives() throws IOException {
    try (Stream<Path> files = Files.walk(dir)) {
      return files
          .filter(Files::isRegularFile)
          .map(f -> dir.relativize(f).toString())
          .filter(f -> !f.equals("child.log"))
          .filter(f -> !f.contains("onnxruntime-java"))
          .toList();
    }
  }
}
