package dev.imgsearch.core.embed;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Pattern;

/**
 * Whether this machine shows an NVIDIA GPU at all: a device node of the driver ({@code
 * /dev/nvidiactl} or {@code /dev/nvidiaN} on Linux; a container given GPU 3 by the NVIDIA runtime
 * sees only {@code /dev/nvidia3}), {@code /dev/dxg} under WSL2, or the driver's {@code /proc}
 * entry. Without one, {@code --device auto} goes straight to the CPU instead of loading the CUDA
 * provider (over 200 MB) only to see it fail.
 */
final class GpuDevices {

  private static final List<String> SIGNS =
      List.of("dev/nvidiactl", "dev/dxg", "proc/driver/nvidia/version");

  private static final Pattern DEVICE_NODE = Pattern.compile("nvidia[0-9]+");

  private GpuDevices() {}

  static boolean anyVisible() {
    return anyVisible(Path.of("/"));
  }

  /** The same check under another root directory (tests). */
  static boolean anyVisible(Path root) {
    if (SIGNS.stream().map(root::resolve).anyMatch(Files::exists)) {
      return true;
    }
    String[] devices = root.resolve("dev").toFile().list();
    if (devices == null) {
      return false;
    }
    for (String name : devices) {
      if (DEVICE_NODE.matcher(name).matches()) {
        return true;
      }
    }
    return false;
  }

  /** Whether {@code --device auto} should try the CUDA provider at all. */
  static boolean worthTrying() {
    return anyVisible() || System.getProperty("onnxruntime.native.path") != null;
  }
}
