package dev.imgsearch.core.config;

import dev.imgsearch.core.embed.Device;
import java.io.Serializable;
import java.nio.file.Path;
import java.util.Objects;

/**
 * How to load and run the encoder.
 *
 * @param modelFile the ONNX file, as a string: the config travels to Flink TaskManagers, and {@code
 *     Path} is not serializable
 * @param device auto, cpu or cuda:N
 * @param intraOpThreads ONNX Runtime's intra-op threads; 0 lets ONNX Runtime choose (one per
 *     physical core). Decode threads plus these should not exceed the cores.
 * @param allowSpinning whether idle ORT threads spin; spinning wastes a core that decoders could
 *     use when they share the machine
 * @param cuda how the CUDA provider runs, when the device is a GPU
 */
public record ModelConfig(
    String modelFile, Device device, int intraOpThreads, boolean allowSpinning, CudaSettings cuda)
    implements Serializable {

  public ModelConfig {
    Objects.requireNonNull(modelFile, "modelFile");
    Objects.requireNonNull(device, "device");
    Objects.requireNonNull(cuda, "cuda");
    if (intraOpThreads < 0) {
      throw new IllegalArgumentException("intraOpThreads must be >= 0, got " + intraOpThreads);
    }
  }

  public static ModelConfig of(Path modelPath) {
    return new ModelConfig(modelPath.toString(), Device.AUTO, 0, true, CudaSettings.defaults());
  }

  public Path modelPath() {
    return Path.of(modelFile);
  }

  public ModelConfig withDevice(Device value) {
    return new ModelConfig(modelFile, value, intraOpThreads, allowSpinning, cuda);
  }

  public ModelConfig withIntraOpThreads(int value) {
    return new ModelConfig(modelFile, device, value, allowSpinning, cuda);
  }

  public ModelConfig withAllowSpinning(boolean value) {
    return new ModelConfig(modelFile, device, intraOpThreads, value, cuda);
  }

  public ModelConfig withCuda(CudaSettings value) {
    return new ModelConfig(modelFile, device, intraOpThreads, allowSpinning, value);
  }
}
