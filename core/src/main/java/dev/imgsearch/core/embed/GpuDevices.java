package dev.imgsearch.core.embed;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * Whether this machine shows an NVIDIA GPU at all: a device node of the driver ({@code
 * /dev/nvidia0} on Linux and in containers run with the NVIDIA runtime, {@code /dev/dxg} under
 * WSL2) or its {@code /proc} entry. Without one, {@code --device auto} goes straight to the CPU
 * instead of loading the CUDA provider (over 200 MB) only to see it fail.
 */
final class GpuDevices {

  private static final List<Path> SIGNS =
      List.of(Path.of("/dev/nvidia0"), Path.of("/dev/dxg"), Path.of("/proc/driver/nvidia/version"));

  private GpuDevices() {}

  static boolean anyVisible() {
    return SIGNS.stream().anyMatch(Files::exists);
  }

  /** Whether {@code --device auto} should try the CUDA provider at all. */
  static boolean worthTrying() {
    return anyVisible() || System.getProperty("onnxruntime.native.path") != null;
  }
}
