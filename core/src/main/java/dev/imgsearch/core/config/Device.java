package dev.imgsearch.core.config;

import java.util.Locale;

/**
 * Where inference runs: {@code auto} (CUDA when a GPU and the CUDA provider load, else the CPU),
 * {@code cpu}, or {@code cuda[:N]}.
 */
public record Device(Kind kind, int index) implements java.io.Serializable {

  public enum Kind {
    AUTO,
    CPU,
    CUDA
  }

  public static final Device AUTO = new Device(Kind.AUTO, 0);
  public static final Device CPU = new Device(Kind.CPU, 0);

  public Device {
    if (index < 0) {
      throw new IllegalArgumentException("device index must be >= 0, got " + index);
    }
  }

  public static Device cuda(int index) {
    return new Device(Kind.CUDA, index);
  }

  /** Parses {@code auto}, {@code cpu}, {@code cuda} or {@code cuda:N}. */
  public static Device parse(String text) {
    String s = text == null ? "" : text.trim().toLowerCase(Locale.ROOT);
    if (s.equals("auto")) {
      return AUTO;
    }
    if (s.equals("cpu")) {
      return CPU;
    }
    if (s.equals("cuda") || s.equals("gpu")) {
      return cuda(0);
    }
    if (s.startsWith("cuda:")) {
      try {
        return cuda(Integer.parseInt(s.substring(5)));
      } catch (IllegalArgumentException e) {
        // a malformed or negative index: fall through to the error below
      }
    }
    throw new IllegalArgumentException(
        "unknown device '" + text + "': use auto, cpu, cuda or cuda:N (N = GPU index)");
  }

  @Override
  public String toString() {
    return switch (kind) {
      case AUTO -> "auto";
      case CPU -> "cpu";
      case CUDA -> "cuda:" + index;
    };
  }
}
