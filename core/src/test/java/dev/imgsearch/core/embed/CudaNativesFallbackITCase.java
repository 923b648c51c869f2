package dev.imgsearch.core.embed;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.imgsearch.core.config.Device;
import dev.imgsearch.core.config.ModelConfig;
import dev.imgsearch.core.testing.TestPhotos;
import java.io.File;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;
import java.util.zip.ZipOutputStream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code scripts/ort-cuda-natives.sh --cuda 13} on a machine without CUDA: it assembles the folder
 * from the Maven jar and PyPI's {@code onnxruntime-gpu} wheel of the pom's version (downloaded once
 * into {@code .venv/ort-wheels}, about 200 MB, or {@code $ORT_WHEEL_CACHE}), and a JVM started with
 * {@code -Donnxruntime.native.path} pointing at it, and only the classes of the ONNX Runtime jar,
 * falls back to the CPU with one line naming the missing CUDA 13 library; {@code cuda:0} fails with
 * the same diagnosis. The property must be set before ONNX Runtime loads, hence the child JVMs.
 */
class CudaNativesFallbackITCase {

  private static final String LIB = "libcublasLt.so.13";

  @TempDir static Path tmp;

  private static Path root;
  private static Path ortJar;
  private static Path natives;
  private static Path classesJar;
  private static String scriptOutput;

  @BeforeAll
  static void assembleTheCuda13Folder() throws Exception {
    root = projectRoot();
    ortJar = ortJarOnTheClasspath();
    natives = tmp.resolve("natives");
    classesJar = tmp.resolve("classes/onnxruntime_gpu-classes.jar");
    long start = System.nanoTime();
    Run run =
        run(
            List.of(
                "bash",
                root.resolve("scripts/ort-cuda-natives.sh").toString(),
                "--cuda",
                "13",
                "--jar",
                ortJar.toString(),
                "--classes-jar",
                classesJar.toString(),
                natives.toString()),
            tmp.resolve("script.log"),
            10);
    scriptOutput = run.output();
    System.out.printf(
        "ort-cuda-natives.sh --cuda 13 took %.1f s:%n%s%n",
        (System.nanoTime() - start) / 1e9, scriptOutput);
    assertThat(run.exit()).as(scriptOutput).isZero();
  }

  @Test
  void theFolderHoldsTheJarsCoreAndTheWheelsCuda13ProviderOfTheSameBuild() throws IOException {
    for (String lib :
        List.of(
            "libonnxruntime.so",
            "libonnxruntime4j_jni.so",
            "libonnxruntime_providers_shared.so",
            CudaLibraries.PROVIDER)) {
      assertThat(natives.resolve(lib)).isRegularFile();
    }
    assertThat(ElfNeeded.read(natives.resolve(CudaLibraries.PROVIDER)))
        .contains(LIB, "libcublas.so.13", "libcudart.so.13", "libcuda.so.1")
        .doesNotContain("libcublasLt.so.12");
    Properties stamp = new Properties();
    try (var in = Files.newBufferedReader(natives.resolve("ort-natives.txt"))) {
      stamp.load(in);
    }
    String commit;
    try (ZipFile jar = new ZipFile(ortJar.toFile())) {
      commit = new String(jar.getInputStream(jar.getEntry("GIT_COMMIT_ID")).readAllBytes()).strip();
    }
    assertThat(stamp.getProperty("commit")).isEqualTo(commit);
    assertThat(stamp.getProperty("cuda")).isEqualTo("13");
    assertThat(stamp.getProperty("provider.needs")).contains(LIB);
    assertThat(scriptOutput)
        .contains("(cuBLASLt, CUDA 13)")
        .contains("-Donnxruntime.native.path=" + natives)
        .contains("env.java.opts.taskmanager");
    try (ZipFile classes = new ZipFile(classesJar.toFile())) {
      assertThat(classes.stream().map(ZipEntry::getName))
          .contains("ai/onnxruntime/OrtEnvironment.class")
          .noneMatch(n -> n.startsWith("ai/onnxruntime/native/"));
    }
  }

  @Test
  void autoFallsBackToTheCpuWithOneLineNamingTheMissingCuda13Library() throws Exception {
    assumeNoCuda13();
    Run run = child("auto", "auto.log");
    assertThat(run.exit()).as(run.output()).isZero();
    assertThat(run.output()).contains("provider=CPU");
    List<String> lines = run.output().lines().filter(l -> l.contains(LIB)).toList();
    assertThat(lines).as(run.output()).hasSize(1);
    assertThat(lines.get(0))
        .contains("ONNX Runtime runs on the CPU")
        .contains("CUDA is not available: " + LIB + " (cuBLASLt of CUDA 13) is missing")
        .contains(natives.resolve(CudaLibraries.PROVIDER) + " (from onnxruntime.native.path)")
        .contains("Fix for CUDA 13: put CUDA 13 and cuDNN 9 on LD_LIBRARY_PATH")
        .contains("Fix for CUDA 12: the onnxruntime_gpu jar's own CUDA 12 provider");
    // Nothing was extracted from a jar: the natives came from the folder.
    assertThat(run.output()).doesNotContain("onnxruntime-java");
  }

  @Test
  void anExplicitGpuFailsWithTheSameDiagnosis() throws Exception {
    assumeNoCuda13();
    Run run = child("cuda:0", "cuda.log");
    assertThat(run.exit()).as(run.output()).isNotZero();
    assertThat(run.output())
        .contains("ModelException: device cuda:0 was requested, but the CUDA provider cannot run")
        .contains(LIB + " (cuBLASLt of CUDA 13) is missing")
        .contains("; or use --device cpu or auto");
  }

  @Test
  void aJarOfAnotherBuildIsRefused() throws Exception {
    Path other = tmp.resolve("other-build.jar");
    String version;
    try (ZipFile jar = new ZipFile(ortJar.toFile())) {
      version =
          new String(jar.getInputStream(jar.getEntry("META-INF/MANIFEST.MF")).readAllBytes())
              .lines()
              .filter(l -> l.startsWith("Implementation-Version:"))
              .findFirst()
              .orElseThrow()
              .substring("Implementation-Version:".length())
              .strip();
    }
    // The same version, another commit: what a rebuilt or patched jar would be.
    try (ZipOutputStream z = new ZipOutputStream(Files.newOutputStream(other))) {
      put(z, "META-INF/MANIFEST.MF", "Manifest-Version: 1.0\nImplementation-Version: " + version);
      put(z, "GIT_COMMIT_ID", "0123456789abcdef0123456789abcdef01234567");
      for (String lib :
          List.of(
              "libonnxruntime.so",
              "libonnxruntime4j_jni.so",
              "libonnxruntime_providers_shared.so")) {
        put(
            z,
            "ai/onnxruntime/native/linux-x64/" + lib,
            "ORT Build Info: git-commit-id=0123456789");
      }
    }
    Path dir = tmp.resolve("refused");
    Run run =
        run(
            List.of(
                "bash",
                root.resolve("scripts/ort-cuda-natives.sh").toString(),
                "--cuda",
                "13",
                "--jar",
                other.toString(),
                dir.toString()),
            tmp.resolve("refused.log"),
            10);
    assertThat(run.exit()).as(run.output()).isEqualTo(1);
    assertThat(run.output())
        .contains("build commit mismatch: the jar " + other + " is commit 0123456789abcdef")
        .contains("must come from the same ONNX Runtime build");
    assertThat(dir).doesNotExist();
  }

  private static void put(ZipOutputStream z, String name, String text) throws IOException {
    z.putNextEntry(new ZipEntry(name));
    z.write(text.getBytes(StandardCharsets.UTF_8));
    z.closeEntry();
  }

  /** On a machine with CUDA 13 the provider loads further: the fallback cannot be provoked. */
  private static void assumeNoCuda13() {
    Optional<Path> cuda13 = CudaLibraries.Host.current().find(LIB);
    assumeTrue(cuda13.isEmpty(), () -> "this machine has CUDA 13 (" + cuda13.orElseThrow() + ")");
  }

  /** A JVM whose ONNX Runtime is the classes-only jar plus the natives of the folder. */
  private static Run child(String device, String log) throws Exception {
    List<String> classpath = new ArrayList<>();
    for (String entry : System.getProperty("java.class.path").split(File.pathSeparator)) {
      classpath.add(Path.of(entry).equals(ortJar) ? classesJar.toString() : entry);
    }
    return run(
        List.of(
            Path.of(System.getProperty("java.home"), "bin", "java").toString(),
            "-Donnxruntime.native.path=" + natives,
            "-cp",
            String.join(File.pathSeparator, classpath),
            OpenEmbedder.class.getName(),
            TestPhotos.tinyModel().toString(),
            device),
        tmp.resolve(log),
        3);
  }

  /** Opens the embedder on a device and prints its provider: what the job does at start-up. */
  public static final class OpenEmbedder {
    public static void main(String[] args) {
      ModelConfig config = ModelConfig.of(Path.of(args[0])).withDevice(Device.parse(args[1]));
      try (OnnxEmbedder embedder = OnnxEmbedder.open(config)) {
        System.out.println("provider=" + embedder.provider());
      }
    }
  }

  private record Run(int exit, String output) {}

  private static Run run(List<String> command, Path log, int minutes) throws Exception {
    Process p =
        new ProcessBuilder(command)
            .directory(root.toFile())
            .redirectErrorStream(true)
            .redirectOutput(log.toFile())
            .start();
    try (OutputStream in = p.getOutputStream()) {
      // no input
    }
    if (!p.waitFor(minutes, TimeUnit.MINUTES)) {
      p.destroyForcibly();
      throw new AssertionError(
          String.join(" ", command) + " ran over " + minutes + " min:\n" + Files.readString(log));
    }
    return new Run(p.exitValue(), Files.readString(log, StandardCharsets.UTF_8));
  }

  private static Path ortJarOnTheClasspath() {
    List<Path> jars =
        Arrays.stream(System.getProperty("java.class.path").split(File.pathSeparator))
            .map(Path::of)
            .filter(p -> p.getFileName().toString().startsWith("onnxruntime"))
            .filter(p -> p.getFileName().toString().endsWith(".jar"))
            .toList();
    assertThat(jars).as("the ONNX Runtime jar on the test classpath").hasSize(1);
    assumeTrue(
        jars.get(0).getFileName().toString().startsWith("onnxruntime_gpu-"),
        () -> "built with the CPU-only ONNX Runtime artifact: " + jars.get(0));
    return jars.get(0);
  }

  private static Path projectRoot() {
    Path dir = Path.of("").toAbsolutePath();
    while (dir != null && !Files.isRegularFile(dir.resolve("scripts/ort-cuda-natives.sh"))) {
      dir = dir.getParent();
    }
    assertThat(dir)
        .as("scripts/ort-cuda-natives.sh above " + Path.of("").toAbsolutePath())
        .isNotNull();
    return dir;
  }
}
