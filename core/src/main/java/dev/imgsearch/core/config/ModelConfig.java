package dev.imgsearch.core.config;

import dev.imgsearch.core.embed.Device;
import java.io.Serializable;
import java.nio.file.Path;
import java.util.Objects;

/**
 * How to load and run the encoder.
 *
 * @param modelPath the ONNX file
 * @param device auto, cpu or cuda:N
 * @param intraOpThreads ONNX Runtime's intra-op threads; 0 lets ONNX Runtime choose (one per
 *     physical core). Decode threads plus these should not exceed the cores.
 * @param allowSpinning whether idle ORT threads spin; spinning wastes a core that decoders could
 *     use when they share the machine
 */
public record ModelConfig(Path modelPath, Device device, int intraOpThreads, boolean allowSpinning)
    implements Serializable {

  public ModelConfig {
    Objects.requireNonNull(modelPath, "modelPath");
    Objects.requireNonNull(device, "device");
    if (intraOpThreads < 0) {
      throw new IllegalArgumentException("intraOpThreads must be >= 0, got " + intraOpThreads);
    }
  }

  public static ModelConfig of(Path modelPath) {
    return new ModelConfig(modelPath, Device.AUTO, 0, true);
  }

  public ModelConfig withDevice(Device value) {
    return new ModelConfig(modelPath, value, intraOpThreads, allowSpinning);
  }

  public ModelConfig withIntraOpThreads(int value) {
    return new ModelConfig(modelPath, device, value, allowSpinning);
  }

  public ModelConfig withAllowSpinning(boolean value) {
    return new ModelConfig(modelPath, device, intraOpThreads, value);
  }
}
