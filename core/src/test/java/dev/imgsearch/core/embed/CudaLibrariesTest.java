package dev.imgsearch.core.embed;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.onnxruntime.OrtEnvironment;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The CUDA provider's errors turned into one line with the fix, and the libraries in use read from
 * /proc/self/maps. The error texts are ONNX Runtime 1.29's, as measured with the jar's CUDA 12
 * provider and PyPI's CUDA 13 provider on a machine without CUDA, with CUDA 13 libraries from PyPI,
 * and with a stand-in driver.
 */
class CudaLibrariesTest {

  private static final String BRIDGE =
      "Error code - ORT_FAIL - message: /onnxruntime_src/onnxruntime/core/session/"
          + "provider_bridge_ort.cc:1988 onnxruntime::Provider& onnxruntime::ProviderLibrary::Get()"
          + " [ONNXRuntimeError] : 1 : FAIL : ";

  @TempDir Path tmp;

  private static String loadFailure(String provider, String missing) {
    return BRIDGE
        + "Failed to load library "
        + provider
        + " with error: "
        + missing
        + ": cannot open shared object file: No such file or directory";
  }

  private CudaLibraries.Host hostWith(String nativePath, Path... dirs) {
    return new CudaLibraries.Host(List.of(dirs), nativePath, null);
  }

  @Test
  void aMissingCuda13LibraryOfTheCuda13ProviderNamesCuda13AndBothFixes() throws IOException {
    Path natives = Files.createDirectories(tmp.resolve("natives"));
    String provider = natives.resolve(CudaLibraries.PROVIDER).toString();
    String line =
        CudaLibraries.diagnose(
            loadFailure(provider, "libcublasLt.so.13"), hostWith(natives.toString()));

    assertThat(line)
        .doesNotContain("\n")
        .startsWith("libcublasLt.so.13 (cuBLASLt of CUDA 13) is missing: the CUDA 13 provider ")
        .contains(provider + " (from onnxruntime.native.path) needs it")
        .contains("Fix for CUDA 13: put CUDA 13 and cuDNN 9 on LD_LIBRARY_PATH")
        .contains("nvidia-cudnn-cu13")
        .contains("driver 580+")
        .contains("Fix for CUDA 12: the onnxruntime_gpu jar's own CUDA 12 provider")
        .contains("no -Donnxruntime.native.path")
        .contains("nvidia-cudnn-cu12");
    assertThat(line.indexOf("Fix for CUDA 13")).isLessThan(line.indexOf("Fix for CUDA 12"));
  }

  @Test
  void theJarsCuda12ProviderOnACuda13MachinePutsTheCuda13FixFirst() throws IOException {
    Path cuda13 = Files.createDirectories(tmp.resolve("cuda-13.0/lib64"));
    Files.writeString(cuda13.resolve("libcublasLt.so.13.1.0.3"), "stand-in");
    Files.createSymbolicLink(
        cuda13.resolve("libcublasLt.so.13"), Path.of("libcublasLt.so.13.1.0.3"));
    String line =
        CudaLibraries.diagnose(
            loadFailure(
                "/tmp/onnxruntime-java2548035146910263579/libonnxruntime_providers_cuda.so",
                "libcublasLt.so.12"),
            hostWith(null, cuda13));

    assertThat(line)
        .startsWith(
            "libcublasLt.so.12 (cuBLASLt of CUDA 12) is missing: the onnxruntime_gpu jar's own"
                + " CUDA 12 provider needs it")
        .contains("this machine has CUDA 13 (" + cuda13.toRealPath() + "/libcublasLt.so.13.1.0.3)")
        .contains(
            "Fix for CUDA 13: scripts/ort-cuda-natives.sh --cuda 13 DIR and"
                + " -Donnxruntime.native.path=DIR")
        .contains("Fix for CUDA 12: install CUDA 12 and cuDNN 9");
    assertThat(line.indexOf("Fix for CUDA 13")).isLessThan(line.indexOf("Fix for CUDA 12"));
  }

  @Test
  void theJarsProviderWithoutACuda13HintKeepsCuda12First() {
    String line =
        CudaLibraries.diagnose(
            loadFailure(
                "/tmp/onnxruntime-java1/libonnxruntime_providers_cuda.so", "libcudart.so.12"),
            hostWith(null));
    assertThat(line)
        .startsWith("libcudart.so.12 (the CUDA runtime of CUDA 12) is missing")
        .doesNotContain("this machine has");
    assertThat(line.indexOf("Fix for CUDA 12")).isLessThan(line.indexOf("Fix for CUDA 13"));
  }

  @Test
  void librariesSharedByCuda12And13AreSaidToBe() {
    String line =
        CudaLibraries.diagnose(
            loadFailure("/opt/ort/libonnxruntime_providers_cuda.so", "libcurand.so.10"),
            hostWith(null));
    assertThat(line)
        .startsWith("libcurand.so.10 (cuRAND, the same soname in CUDA 12 and 13) is missing")
        .contains("Fix for CUDA 13")
        .contains("Fix for CUDA 12");
  }

  @Test
  void aMissingLibraryOutsideCudaIsNamedWithoutACudaVersion() {
    String line =
        CudaLibraries.diagnose(
            loadFailure("/opt/ort/libonnxruntime_providers_cuda.so", "libgomp.so.1"),
            hostWith(null));
    assertThat(line)
        .isEqualTo(
            "libgomp.so.1 is missing: the CUDA provider /opt/ort/libonnxruntime_providers_cuda.so"
                + " needs it; install it, or put the folder that has it on LD_LIBRARY_PATH");
  }

  @Test
  void aMissingDriverIsNamedAsSuch() {
    String line =
        CudaLibraries.diagnose(
            loadFailure("/opt/ort/libonnxruntime_providers_cuda.so", "libcuda.so.1"),
            hostWith(null));
    assertThat(line)
        .startsWith("libcuda.so.1 (the NVIDIA driver's library) is missing: this machine has no")
        .contains("docker --gpus");
  }

  @Test
  void aFolderWithoutTheProviderSaysHowToAssembleIt() {
    String provider = "/opt/ort/libonnxruntime_providers_cuda.so";
    String line = CudaLibraries.diagnose(loadFailure(provider, provider), hostWith("/opt/ort"));
    assertThat(line)
        .isEqualTo(
            provider
                + " does not exist: the folder /opt/ort (onnxruntime.native.path) has no CUDA"
                + " provider. Fix: scripts/ort-cuda-natives.sh --cuda 13 /opt/ort (CUDA 13, driver"
                + " 580 or later) or --cuda 12 /opt/ort (CUDA 12)");
  }

  @Test
  void aProviderFromAnotherBuildIsToldToComeFromTheSameBuild() {
    String line =
        CudaLibraries.diagnose(
            BRIDGE
                + "Failed to load library /opt/ort/libonnxruntime_providers_cuda.so with error:"
                + " /opt/ort/libonnxruntime_providers_cuda.so: undefined symbol:"
                + " _ZN11onnxruntime9ProviderX",
            hostWith(null));
    assertThat(line)
        .contains("cannot be loaded")
        .contains("undefined symbol")
        .contains("same ONNX Runtime build")
        .contains("scripts/ort-cuda-natives.sh");
  }

  @Test
  void cudaRuntimeFailuresAreExplained() {
    CudaLibraries.Host host = new CudaLibraries.Host(List.of(), null, "570.86.15");
    assertThat(
            CudaLibraries.diagnose(
                "CUDA failure 100: no CUDA-capable device is detected ; GPU=0 ; hostname=h ;"
                    + " file=cuda_execution_provider.cc ; line=290 ; expr=cudaSetDevice(...);",
                host))
        .startsWith("no GPU is visible (CUDA error 100: no CUDA-capable device is detected)")
        .contains("CUDA_VISIBLE_DEVICES");
    assertThat(
            CudaLibraries.diagnose(
                "CUDA failure 35: CUDA driver version is insufficient for CUDA runtime version ;"
                    + " GPU=0",
                host))
        .startsWith("the NVIDIA driver (driver 570.86.15) is older than the CUDA runtime needs")
        .contains("CUDA 13 needs driver 580 or later");
    assertThat(CudaLibraries.diagnose("CUDA failure 101: invalid device ordinal ; GPU=3", host))
        .startsWith("there is no GPU with that index");
  }

  @Test
  void aJarWithoutAProviderIsExplained() {
    assertThat(
            CudaLibraries.diagnose(
                "Error code - ORT_EP_FAIL - message: Failed to find CUDA shared provider",
                hostWith(null)))
        .contains("has no CUDA provider")
        .contains("onnxruntime.native.path is not set")
        .contains("--cuda 13 DIR");
  }

  @Test
  void anUnknownErrorIsItsFirstLine() {
    assertThat(CudaLibraries.diagnose("something new\nmore", hostWith(null)))
        .isEqualTo("something new");
    assertThat(CudaLibraries.diagnose(null, hostWith(null))).isEqualTo("no message");
  }

  @Test
  void sonamesAreMappedToTheirCudaMajor() {
    assertThat(CudaLibraries.identify("libcublasLt.so.13").orElseThrow().cudaMajor()).isEqualTo(13);
    assertThat(CudaLibraries.identify("libcublas.so.12").orElseThrow().cudaMajor()).isEqualTo(12);
    assertThat(CudaLibraries.identify("libcufft.so.12").orElseThrow().cudaMajor()).isEqualTo(13);
    assertThat(CudaLibraries.identify("libcufft.so.11").orElseThrow().cudaMajor()).isEqualTo(12);
    assertThat(CudaLibraries.identify("libcudnn_graph.so.9").orElseThrow().component())
        .isEqualTo("cuDNN 9");
    assertThat(CudaLibraries.identify("libstdc++.so.6")).isEmpty();
    assertThat(CudaLibraries.identify("libc.so.6")).isEmpty();
  }

  @Test
  void versionsInUseComeFromTheMappedFileNames() {
    List<String> maps =
        List.of(
            "7f0000000000-7f0000001000 r--p 00000000 fd:01 11 /opt/ort/libonnxruntime_providers_cuda.so",
            "7f0000001000-7f0000002000 r-xp 00001000 fd:01 11 /opt/ort/libonnxruntime_providers_cuda.so",
            "7f0000003000-7f0000004000 r-xp 00000000 fd:01 12"
                + " /usr/local/cuda-13.0/targets/x86_64-linux/lib/libcudart.so.13.0.96",
            "7f0000005000-7f0000006000 r-xp 00000000 fd:01 13"
                + " /usr/local/cuda-13.0/targets/x86_64-linux/lib/libcublas.so.13.1.0.3",
            "7f0000007000-7f0000008000 r-xp 00000000 fd:01 14"
                + " /usr/lib/x86_64-linux-gnu/libcudnn.so.9.13.0",
            "7f0000009000-7f000000a000 r-xp 00000000 fd:01 15"
                + " /usr/lib/x86_64-linux-gnu/libcuda.so.580.65.06",
            "7f000000b000-7f000000c000 rw-p 00000000 00:00 0 ",
            "7ffd00000000-7ffd00001000 rw-p 00000000 00:00 0                          [stack]");
    List<Path> files = CudaLibraries.mappedFiles(maps);
    assertThat(files).hasSize(5);
    assertThat(CudaLibraries.inUse(files, hostWith(null)))
        .isEqualTo(
            "provider /opt/ort/libonnxruntime_providers_cuda.so, CUDA runtime 13.0.96"
                + " (/usr/local/cuda-13.0/targets/x86_64-linux/lib/libcudart.so.13.0.96), cuBLAS"
                + " 13.1.0.3 (/usr/local/cuda-13.0/targets/x86_64-linux/lib/libcublas.so.13.1.0.3),"
                + " cuDNN 9.13.0 (/usr/lib/x86_64-linux-gnu/libcudnn.so.9.13.0), driver 580.65.06");
  }

  @Test
  void pypiLibrariesGetTheirWheelsVersionAndAnUnloadedCudnnIsLookedUp() throws IOException {
    // The layout of PyPI's CUDA 13 wheels: nvidia/cu13/lib/ for the toolkit libraries, with the
    // wheel's version only in its dist-info folder.
    Path site = tmp.resolve("site-packages");
    Path lib = Files.createDirectories(site.resolve("nvidia/cu13/lib"));
    Path cudart = Files.writeString(lib.resolve("libcudart.so.13"), "stand-in");
    Path info = Files.createDirectories(site.resolve("nvidia_cuda_runtime-13.0.96.dist-info"));
    Files.writeString(
        info.resolve("RECORD"),
        "nvidia/cu13/include/cuda.h,sha256=x,1\nnvidia/cu13/lib/libcudart.so.13,sha256=y,806720\n");
    Path cudnnLib = Files.createDirectories(site.resolve("nvidia/cudnn/lib"));
    Files.writeString(cudnnLib.resolve("libcudnn.so.9"), "stand-in");
    Path cudnnInfo = Files.createDirectories(site.resolve("nvidia_cudnn_cu13-9.13.0.50.dist-info"));
    Files.writeString(cudnnInfo.resolve("RECORD"), "nvidia/cudnn/lib/libcudnn.so.9,sha256=z,1\n");

    assertThat(CudaLibraries.pypiVersion(cudart)).hasValue("13.0.96 from PyPI nvidia-cuda-runtime");
    String inUse = CudaLibraries.inUse(List.of(cudart), hostWith(null, lib, cudnnLib));
    assertThat(inUse)
        .startsWith(
            "provider library not mapped, CUDA runtime 13.0.96 from PyPI nvidia-cuda-runtime")
        .contains("cuBLAS not mapped")
        .contains(
            "cuDNN 9.13.0.50 from PyPI nvidia-cudnn-cu13 ("
                + cudnnLib.toRealPath().resolve("libcudnn.so.9")
                + "), not loaded yet");
    assertThat(CudaLibraries.inUse(List.of(), hostWith(null)))
        .contains("cuDNN 9 not loaded yet and not found on LD_LIBRARY_PATH");
  }

  @Test
  void theDriverVersionIsReadFromTheKernelModule() throws IOException {
    Path version =
        Files.writeString(
            tmp.resolve("version"),
            "NVRM version: NVIDIA UNIX Open Kernel Module for x86_64  580.65.06  Release Build"
                + "  (dvs-builder@U16-I3-B03-4-3)  Sun Jul 27 06:54:38 UTC 2025\n"
                + "GCC version:  gcc version 13.3.0 (Ubuntu 13.3.0-6ubuntu2~24.04)\n");
    assertThat(CudaLibraries.driverVersion(version)).isEqualTo("580.65.06");
    assertThat(CudaLibraries.driverVersion(tmp.resolve("absent"))).isNull();
  }

  @Test
  void thisProcessMapsOnnxRuntimeOnceItIsLoaded() throws IOException {
    OrtEnvironment.getEnvironment(); // loads libonnxruntime.so
    List<Path> mapped = CudaLibraries.mappedFiles(Files.readAllLines(Path.of("/proc/self/maps")));
    assertThat(mapped)
        .anySatisfy(p -> assertThat(p.getFileName().toString()).startsWith("libonnxruntime.so"));
    // What else is mapped depends on the machine (a GPU machine may have run a CUDA session).
    assertThat(CudaLibraries.inUse()).startsWith("provider ").contains("CUDA runtime ");
  }

  @Test
  void elfNeededReadsTheDynamicSectionOfTheJarsJniLibrary() throws IOException {
    Path jni = tmp.resolve("libonnxruntime4j_jni.so");
    try (InputStream in =
        OrtEnvironment.class.getResourceAsStream(
            "/ai/onnxruntime/native/linux-x64/libonnxruntime4j_jni.so")) {
      assertThat(in).as("the ONNX Runtime jar's JNI library").isNotNull();
      Files.copy(in, jni);
    }
    assertThat(ElfNeeded.read(jni)).contains("libonnxruntime.so.1", "libc.so.6");
    Path text = Files.writeString(tmp.resolve("not-elf.so"), "hello", StandardCharsets.UTF_8);
    assertThatThrownBy(() -> ElfNeeded.read(text))
        .isInstanceOf(IOException.class)
        .hasMessageContaining("not a 64-bit little-endian ELF file");
  }
}
