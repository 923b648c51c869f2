package dev.imgsearch.core.embed;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * The CPU this process runs on, as far as inference cares: its model name and the vector
 * instructions ONNX Runtime's kernels use (AVX2, AVX-512, and the int8 dot products of VNNI and
 * AMX), read from {@code /proc/cpuinfo}.
 *
 * @param model e.g. "AMD EPYC" or "Intel(R) Xeon(R) Platinum 8480+"; "unknown" off Linux
 */
public record CpuFeatures(String model, Set<String> flags) {

  /** The flags that matter here, in the order they are reported. */
  static final List<String> REPORTED =
      List.of("avx2", "avx512f", "avx512_vnni", "avx_vnni", "avx512_bf16", "amx_int8", "amx_bf16");

  public CpuFeatures {
    flags = Set.copyOf(flags);
  }

  /** This machine's CPU; no flags when /proc/cpuinfo cannot be read. */
  public static CpuFeatures current() {
    return read(Path.of("/proc/cpuinfo"));
  }

  static CpuFeatures read(Path cpuinfo) {
    String model = "unknown";
    Set<String> flags = new LinkedHashSet<>();
    try {
      for (String line : Files.readAllLines(cpuinfo)) {
        int colon = line.indexOf(':');
        if (colon < 0) {
          continue;
        }
        String key = line.substring(0, colon).strip().toLowerCase(Locale.ROOT);
        String value = line.substring(colon + 1).strip();
        if (key.equals("model name") && model.equals("unknown")) {
          model = value;
        } else if (key.equals("flags") && flags.isEmpty()) {
          flags.addAll(List.of(value.split("\\s+")));
        }
      }
    } catch (IOException | RuntimeException e) {
      // Not Linux, or no /proc: nothing is known, and int8 is never chosen on a guess.
    }
    return new CpuFeatures(model, flags);
  }

  /** Whether int8 matrix products have instructions of their own here (VNNI or AMX). */
  public boolean hasInt8DotProducts() {
    return flags.contains("avx512_vnni")
        || flags.contains("avx_vnni")
        || flags.contains("amx_int8");
  }

  /** "AMD EPYC (avx2 avx512f avx512_vnni; no amx_int8)". */
  public String describe() {
    StringBuilder have = new StringBuilder();
    StringBuilder lack = new StringBuilder();
    for (String flag : REPORTED) {
      StringBuilder to = flags.contains(flag) ? have : lack;
      to.append(to.length() == 0 ? "" : " ").append(flag);
    }
    return model + " (" + (have.length() == 0 ? "none of " + lack : have + "; no " + lack) + ")";
  }
}
