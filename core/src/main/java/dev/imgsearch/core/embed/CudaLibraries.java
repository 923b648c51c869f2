package dev.imgsearch.core.embed;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * What ONNX Runtime's CUDA provider needs from the machine, in words a user can act on.
 *
 * <p>The Maven {@code onnxruntime_gpu} jar carries a CUDA 12 provider; {@code
 * scripts/ort-cuda-natives.sh --cuda 13 DIR} assembles a folder with the CUDA 13 provider of the
 * same ONNX Runtime build, used through {@code -Donnxruntime.native.path=DIR}. Either fails to load
 * when one of its CUDA libraries is missing, and ONNX Runtime then says only which file the loader
 * could not open. {@link #diagnose} turns that into one line: the CUDA major version the missing
 * library belongs to, the provider's own CUDA version, and the fix for a CUDA 12 and a CUDA 13
 * machine. {@link #inUse} names, once a CUDA session is open, the provider library and the CUDA
 * runtime, cuBLAS, cuDNN and driver versions the process actually mapped.
 */
public final class CudaLibraries {

  static final String PROVIDER = "libonnxruntime_providers_cuda.so";
  static final String SCRIPT = "scripts/ort-cuda-natives.sh";

  private static final Pattern LOAD_FAILURE =
      Pattern.compile("Failed to load library (\\S+) with error: (.+?)\\)?\\s*$", Pattern.DOTALL);
  private static final Pattern CANNOT_OPEN =
      Pattern.compile("^(\\S+?): cannot open shared object file");
  private static final Pattern CUDA_FAILURE = Pattern.compile("CUDA failure (\\d+): ([^;\\n]*)");
  private static final Pattern SONAME = Pattern.compile("^(lib[A-Za-z_]+)\\.so\\.(\\d+)$");
  private static final Pattern FULL_VERSION = Pattern.compile("\\.so\\.(\\d+(?:\\.\\d+)+)$");
  private static final Pattern MAPS_PATH =
      Pattern.compile("^\\S+\\s+\\S+\\s+\\S+\\s+\\S+\\s+\\S+\\s+(/.*?)(?: \\(deleted\\))?$");

  private CudaLibraries() {}

  /**
   * A CUDA library by its soname.
   *
   * @param component what it is, e.g. "cuBLASLt"
   * @param cudaMajor the CUDA major version it ships with; 0 when the same soname serves CUDA 12
   *     and 13 (cuRAND 10, cuDNN 9) or it is the driver's
   */
  record CudaLibrary(String soname, String component, int cudaMajor) {
    String describe() {
      if (soname.equals("libcuda.so.1")) {
        return soname + " (the NVIDIA driver's library)";
      }
      if (cudaMajor == 0) {
        return soname + " (" + component + ", the same soname in CUDA 12 and 13)";
      }
      return soname + " (" + component + " of CUDA " + cudaMajor + ")";
    }
  }

  /** The CUDA library a soname names, if it is one the CUDA provider loads. */
  static Optional<CudaLibrary> identify(String soname) {
    if (soname.equals("libcuda.so.1")) {
      return Optional.of(new CudaLibrary(soname, "NVIDIA driver", 0));
    }
    Matcher m = SONAME.matcher(soname);
    if (!m.matches()) {
      return Optional.empty();
    }
    int n = Integer.parseInt(m.group(2));
    String base = m.group(1);
    if (base.startsWith("libcudnn")) {
      return Optional.of(new CudaLibrary(soname, "cuDNN " + n, 0));
    }
    return Optional.ofNullable(
        switch (base) {
          case "libcublasLt" -> new CudaLibrary(soname, "cuBLASLt", n);
          case "libcublas" -> new CudaLibrary(soname, "cuBLAS", n);
          case "libcudart" -> new CudaLibrary(soname, "the CUDA runtime", n);
          case "libnvrtc" -> new CudaLibrary(soname, "NVRTC", n);
          case "libnvJitLink" -> new CudaLibrary(soname, "nvJitLink", n);
          case "libcufft" -> new CudaLibrary(soname, "cuFFT", n + 1); // cuFFT 11: CUDA 12
          case "libcusparse" -> new CudaLibrary(soname, "cuSPARSE", n);
          case "libcurand" -> n == 10 ? new CudaLibrary(soname, "cuRAND", 0) : null;
          default -> null;
        });
  }

  /**
   * Where this process looks for libraries, and what it knows of the GPU driver.
   *
   * @param libraryDirs LD_LIBRARY_PATH, then the folders of /etc/ld.so.conf.d, then the usual
   *     system and CUDA folders: the order the dynamic loader searches, near enough
   * @param nativePath the {@code onnxruntime.native.path} property, or null
   * @param driverVersion the NVIDIA kernel module's version, or null
   */
  record Host(List<Path> libraryDirs, String nativePath, String driverVersion) {

    static Host current() {
      Set<Path> dirs = new LinkedHashSet<>();
      String ld = System.getenv("LD_LIBRARY_PATH");
      if (ld != null) {
        for (String d : ld.split(":")) {
          if (!d.isBlank()) {
            dirs.add(Path.of(d));
          }
        }
      }
      Path conf = Path.of("/etc/ld.so.conf.d");
      if (Files.isDirectory(conf)) {
        try (Stream<Path> files = Files.list(conf)) {
          for (Path f : files.sorted().toList()) {
            for (String line : Files.readAllLines(f, StandardCharsets.UTF_8)) {
              if (line.strip().startsWith("/")) {
                dirs.add(Path.of(line.strip()));
              }
            }
          }
        } catch (IOException | UncheckedIOException e) {
          // an unreadable file: the standard folders below still count
        }
      }
      for (String d :
          List.of(
              "/usr/local/cuda/lib64",
              "/usr/local/nvidia/lib64",
              "/usr/lib/x86_64-linux-gnu",
              "/lib/x86_64-linux-gnu",
              "/usr/lib/aarch64-linux-gnu",
              "/usr/lib64",
              "/lib64",
              "/usr/lib",
              "/lib")) {
        dirs.add(Path.of(d));
      }
      return new Host(
          dirs.stream().filter(Files::isDirectory).toList(),
          System.getProperty("onnxruntime.native.path"),
          CudaLibraries.driverVersion(Path.of("/proc/driver/nvidia/version")));
    }

    /** The real path of {@code soname} in the first folder that has it. */
    Optional<Path> find(String soname) {
      for (Path d : libraryDirs) {
        Path p = d.resolve(soname);
        if (Files.exists(p)) {
          try {
            return Optional.of(p.toRealPath());
          } catch (IOException e) {
            return Optional.of(p);
          }
        }
      }
      return Optional.empty();
    }
  }

  static String driverVersion(Path procVersion) {
    try {
      Matcher m =
          Pattern.compile("Kernel Module(?: for \\S+)?\\s+(\\d+(?:\\.\\d+)+)")
              .matcher(Files.readString(procVersion, StandardCharsets.UTF_8));
      return m.find() ? m.group(1) : null;
    } catch (IOException | RuntimeException e) {
      return null;
    }
  }

  /**
   * One line saying why the CUDA provider could not start, from ONNX Runtime's error message, and
   * how to fix it on a CUDA 12 and on a CUDA 13 machine. An error it does not know is given back as
   * its first line.
   */
  public static String diagnose(String ortMessage) {
    try {
      return diagnose(ortMessage, Host.current());
    } catch (RuntimeException e) { // a diagnosis must never hide the error it explains
      return firstLine(ortMessage);
    }
  }

  static String diagnose(String ortMessage, Host host) {
    String message = ortMessage == null ? "" : ortMessage;
    Matcher load = LOAD_FAILURE.matcher(message);
    if (load.find()) {
      return loadFailure(Path.of(load.group(1)), load.group(2).strip(), host);
    }
    if (message.contains("Failed to find CUDA shared provider")) {
      return "ONNX Runtime's Java loader has no CUDA provider: the onnxruntime jar on the classpath"
          + " carries none (the CPU-only onnxruntime artifact, or a jar without natives) and"
          + " onnxruntime.native.path is not set. Fix: the onnxruntime_gpu artifact (CUDA 12), or "
          + SCRIPT
          + " --cuda 13 DIR (or --cuda 12 DIR) and -Donnxruntime.native.path=DIR";
    }
    Matcher cuda = CUDA_FAILURE.matcher(message);
    if (cuda.find()) {
      return cudaFailure(Integer.parseInt(cuda.group(1)), cuda.group(2).strip(), host);
    }
    return firstLine(message);
  }

  private static String loadFailure(Path provider, String error, Host host) {
    Matcher open = CANNOT_OPEN.matcher(error);
    String missing = open.find() ? open.group(1) : null;
    if (missing != null && (missing.equals(PROVIDER) || missing.endsWith("/" + PROVIDER))) {
      String dir = String.valueOf(provider.getParent());
      return provider
          + " does not exist: the folder "
          + dir
          + (dir.equals(host.nativePath()) ? " (onnxruntime.native.path)" : "")
          + " has no CUDA provider. Fix: "
          + SCRIPT
          + " --cuda 13 "
          + dir
          + " (CUDA 13, driver 580 or later) or --cuda 12 "
          + dir
          + " (CUDA 12)";
    }
    int providerMajor = providerCudaMajor(provider);
    Optional<CudaLibrary> lib = missing == null ? Optional.empty() : identify(missing);
    if (providerMajor == 0 && lib.isPresent() && lib.get().cudaMajor() > 0) {
      providerMajor = lib.get().cudaMajor();
    }
    String who = providerName(provider, host, providerMajor);
    if (missing != null && lib.isEmpty()) {
      return missing
          + " is missing: "
          + who
          + " needs it; install it, or put the folder that has it on LD_LIBRARY_PATH";
    }
    if (lib.isEmpty()) {
      return who
          + " cannot be loaded: "
          + firstLine(error)
          + ". It must come from the same ONNX Runtime build as the core libraries: use the"
          + " onnxruntime_gpu jar's own provider (CUDA 12) or a folder made by "
          + SCRIPT
          + " (--cuda 13 or --cuda 12)";
    }
    StringBuilder line = new StringBuilder(lib.get().describe()).append(" is missing: ");
    if (missing.equals("libcuda.so.1")) {
      return line.append("this machine has no NVIDIA driver, or this container was started")
          .append(" without the GPU (docker --gpus, the NVIDIA container runtime); ")
          .append(who)
          .append(" needs driver ")
          .append(providerMajor == 12 ? "525" : "580")
          .append(" or later")
          .toString();
    }
    line.append(who).append(" needs it");
    int hostMajor = hostCudaMajor(host, providerMajor, line);
    int first = providerMajor == 12 ? 12 : 13;
    int second = first == 13 ? 12 : 13;
    if (hostMajor == second) {
      second = first;
      first = hostMajor;
    }
    return line.append(". Fix for CUDA ")
        .append(first)
        .append(": ")
        .append(fix(first, providerMajor))
        .append(". Fix for CUDA ")
        .append(second)
        .append(": ")
        .append(fix(second, providerMajor))
        .toString();
  }

  /** The fix on a CUDA {@code target} machine for a provider built for CUDA {@code provider}. */
  private static String fix(int target, int provider) {
    if (target == 13) {
      String libs =
          "CUDA 13 and cuDNN 9 on LD_LIBRARY_PATH (the toolkit, or pip install nvidia-cublas"
              + " nvidia-cuda-runtime nvidia-cudnn-cu13 nvidia-cufft nvidia-curand"
              + " nvidia-cuda-nvrtc: their site-packages/nvidia/*/lib), driver 580+";
      return provider == 13
          ? "put " + libs
          : SCRIPT + " --cuda 13 DIR and -Donnxruntime.native.path=DIR, with " + libs;
    }
    String libs =
        "CUDA 12 and cuDNN 9 (the toolkit, or pip install nvidia-cublas-cu12"
            + " nvidia-cuda-runtime-cu12 nvidia-cudnn-cu12 nvidia-cufft-cu12 nvidia-curand-cu12"
            + " nvidia-cuda-nvrtc-cu12 on LD_LIBRARY_PATH), driver 525+";
    return provider == 12
        ? "install " + libs
        : "the onnxruntime_gpu jar's own CUDA 12 provider (no -Donnxruntime.native.path, or a"
            + " folder from "
            + SCRIPT
            + " --cuda 12 DIR) with "
            + libs;
  }

  /** Appends what CUDA this machine has, if another than the provider's; returns its major. */
  private static int hostCudaMajor(Host host, int providerMajor, StringBuilder line) {
    for (int major : new int[] {13, 12}) {
      if (major == providerMajor) {
        continue;
      }
      for (String probe : List.of("libcublasLt.so." + major, "libcudart.so." + major)) {
        Optional<Path> found = host.find(probe);
        if (found.isPresent()) {
          line.append("; this machine has CUDA ")
              .append(major)
              .append(" (")
              .append(found.get())
              .append(")");
          return major;
        }
      }
    }
    return 0;
  }

  private static String providerName(Path provider, Host host, int major) {
    String cuda = major > 0 ? "CUDA " + major + " " : "CUDA ";
    String dir = String.valueOf(provider.getParent());
    if (dir.contains("onnxruntime-java")) {
      return "the onnxruntime_gpu jar's own " + cuda + "provider";
    }
    return "the "
        + cuda
        + "provider "
        + provider
        + (dir.equals(host.nativePath()) ? " (from onnxruntime.native.path)" : "");
  }

  /** The CUDA major a provider library links against (cuBLAS, cuBLASLt, the runtime); 0 unknown. */
  static int providerCudaMajor(Path provider) {
    try {
      for (String needed : ElfNeeded.read(provider)) {
        Matcher m = Pattern.compile("^libcu(?:blasLt|blas|dart)\\.so\\.(\\d+)$").matcher(needed);
        if (m.matches()) {
          return Integer.parseInt(m.group(1));
        }
      }
    } catch (IOException | RuntimeException e) {
      // gone (the jar's provider is extracted to a temporary folder) or unreadable
    }
    return 0;
  }

  private static String cudaFailure(int code, String text, Host host) {
    String driver = host.driverVersion() == null ? "" : " (driver " + host.driverVersion() + ")";
    return switch (code) {
      case 100 ->
          "no GPU is visible (CUDA error 100: "
              + text
              + "): check nvidia-smi, CUDA_VISIBLE_DEVICES, and that a container was given the GPU"
              + " (docker --gpus, the NVIDIA container runtime)";
      case 35 ->
          "the NVIDIA driver"
              + driver
              + " is older than the CUDA runtime needs (CUDA error 35: "
              + text
              + "): CUDA 13 needs driver 580 or later, CUDA 12 needs 525 or later; update the driver,"
              + " or on a driver older than 580 use the onnxruntime_gpu jar's own CUDA 12 provider"
              + " (leave out -Donnxruntime.native.path)";
      case 101 ->
          "there is no GPU with that index (CUDA error 101: "
              + text
              + "): use cuda:N with N below the number of GPUs that nvidia-smi -L lists"
              + " (CUDA_VISIBLE_DEVICES renumbers them from 0)";
      default -> "CUDA error " + code + ": " + text + driver;
    };
  }

  /**
   * For the log line of a CUDA session: the provider library and the CUDA runtime, cuBLAS, cuDNN
   * and driver versions this process mapped (from /proc/self/maps), e.g. {@code provider
   * /opt/ort/libonnxruntime_providers_cuda.so (CUDA 13 build), CUDA runtime 13.0.96, cuBLAS
   * 13.1.0.3, cuDNN 9.13.0, driver 580.65.06}. cuDNN may be loaded only at the first run: then the
   * file the loader will find is named instead.
   */
  public static String inUse() {
    List<String> maps;
    try {
      maps = Files.readAllLines(Path.of("/proc/self/maps"), StandardCharsets.UTF_8);
    } catch (IOException | RuntimeException e) {
      return "libraries unknown (no /proc/self/maps)";
    }
    try {
      return inUse(mappedFiles(maps), Host.current());
    } catch (RuntimeException e) { // never fail a CUDA session that loaded over its log line
      return "libraries unknown (" + e + ")";
    }
  }

  /** The distinct files of /proc/self/maps lines, in order. */
  static List<Path> mappedFiles(List<String> mapsLines) {
    Set<Path> files = new LinkedHashSet<>();
    for (String line : mapsLines) {
      Matcher m = MAPS_PATH.matcher(line);
      if (m.matches()) {
        files.add(Path.of(m.group(1)));
      }
    }
    return new ArrayList<>(files);
  }

  static String inUse(List<Path> mapped, Host host) {
    List<String> parts = new ArrayList<>();
    Optional<Path> provider = mapped(mapped, "libonnxruntime_providers_cuda.so");
    if (provider.isPresent()) {
      int major = providerCudaMajor(provider.get());
      parts.add(
          "provider "
              + provider.get()
              + (major > 0 ? " (CUDA " + major + " build)" : "")
              + (provider.get().toString().contains("onnxruntime-java")
                  ? " (the onnxruntime_gpu jar's)"
                  : ""));
    } else {
      parts.add("provider library not mapped");
    }
    parts.add(version("CUDA runtime", mapped(mapped, "libcudart.so."), null));
    parts.add(version("cuBLAS", mapped(mapped, "libcublas.so."), null));
    Optional<Path> cudnn = mapped(mapped, "libcudnn.so.");
    if (cudnn.isPresent()) {
      parts.add(version("cuDNN", cudnn, null));
    } else {
      Optional<Path> found = host.find("libcudnn.so.9");
      parts.add(
          found.isPresent()
              ? version("cuDNN", found, "not loaded yet")
              : "cuDNN 9 not loaded yet and not found on LD_LIBRARY_PATH or in the system library"
                  + " folders");
    }
    Optional<Path> driver = mapped(mapped, "libcuda.so.");
    String driverVersion =
        driver
            .map(p -> p.getFileName().toString())
            .map(FULL_VERSION::matcher)
            .filter(Matcher::find)
            .map(m -> m.group(1))
            .orElse(host.driverVersion());
    if (driverVersion != null) {
      parts.add("driver " + driverVersion);
    }
    return String.join(", ", parts);
  }

  private static Optional<Path> mapped(List<Path> mapped, String prefix) {
    return mapped.stream().filter(p -> p.getFileName().toString().startsWith(prefix)).findFirst();
  }

  private static String version(String what, Optional<Path> file, String note) {
    if (file.isEmpty()) {
      return what + " not mapped";
    }
    Path p = file.get();
    String name = p.getFileName().toString();
    Matcher full = FULL_VERSION.matcher(name);
    String v;
    if (full.find()) {
      v = full.group(1) + " (" + p + ")";
    } else {
      Optional<String> pypi = pypiVersion(p);
      v =
          pypi.map(s -> s + " (" + p + ")")
              .orElseGet(
                  () -> {
                    int dot = name.lastIndexOf(".so.");
                    return (dot < 0 ? "?" : name.substring(dot + 4)) + " (" + p + ")";
                  });
    }
    return what + " " + v + (note == null ? "" : ", " + note);
  }

  /**
   * The version of the PyPI wheel that installed {@code lib}, e.g. {@code 13.0.96 from PyPI
   * nvidia-cuda-runtime} for {@code site-packages/nvidia/cu13/lib/libcudart.so.13}: the wheels'
   * file names carry only the major version. Found in the RECORD of the nvidia_* dist-info folders.
   */
  static Optional<String> pypiVersion(Path lib) {
    Path site = null;
    Path relative = null;
    for (Path p = lib.getParent(); p != null && p.getParent() != null; p = p.getParent()) {
      if (p.getFileName().toString().equals("nvidia")) {
        site = p.getParent();
        relative = site.relativize(lib);
        break;
      }
    }
    if (site == null) {
      return Optional.empty();
    }
    String entry = relative.toString().replace('\\', '/') + ",";
    try (DirectoryStream<Path> infos = Files.newDirectoryStream(site, "nvidia_*.dist-info")) {
      for (Path info : infos) {
        Path record = info.resolve("RECORD");
        if (!Files.isRegularFile(record)) {
          continue;
        }
        try (Stream<String> lines = Files.lines(record, StandardCharsets.UTF_8)) {
          if (lines.anyMatch(l -> l.startsWith(entry))) {
            String dir = info.getFileName().toString();
            String nameVersion = dir.substring(0, dir.length() - ".dist-info".length());
            int dash = nameVersion.indexOf('-');
            return Optional.of(
                nameVersion.substring(dash + 1)
                    + " from PyPI "
                    + nameVersion.substring(0, dash).replace('_', '-'));
          }
        }
      }
    } catch (IOException | UncheckedIOException e) {
      return Optional.empty();
    }
    return Optional.empty();
  }

  static String firstLine(String message) {
    if (message == null || message.isBlank()) {
      return "no message";
    }
    int nl = message.indexOf('\n');
    return (nl < 0 ? message : message.substring(0, nl)).strip();
  }
}
