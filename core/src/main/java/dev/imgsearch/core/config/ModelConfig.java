package dev.imgsearch.core.config;

import java.io.Serializable;
import java.nio.file.Path;
import java.util.Objects;

/**
 * How to load and run the encoder.
 *
 * @param modelFile the ONNX file, as a string: the config travels to Flink TaskManagers, and {@code
 *     Path} is not serializable
 * @param device auto, cpu or cuda:N
 * @param intraOpThreads ONNX Runtime's intra-op threads per session; 0 = automatic: the cores
 *     divided among the sessions, or, with one session, ONNX Runtime's own choice (one per physical
 *     core)
 * @param allowSpinning whether idle ORT threads spin; spinning wastes a core that decoders could
 *     use when they share the machine
 * @param cuda how the CUDA provider runs, when the device is a GPU
 * @param sessions ONNX Runtime sessions, each running one batch at a time. Two on a CPU run ONNX
 *     Runtime about 6 % faster (a second batch fills the cores while the first waits on its slowest
 *     thread), but cost a second copy of the weights and of the memory arena
 * @param batchPadding whether partial batches are padded to a few fixed sizes (on a GPU by default)
 * @param precision which copy of the model runs ({@code dev.imgsearch.core.embed.ModelVariants});
 *     once chosen, {@code modelFile} is that copy and this is FP32 or INT8
 */
public record ModelConfig(
    String modelFile,
    Device device,
    int intraOpThreads,
    boolean allowSpinning,
    CudaSettings cuda,
    int sessions,
    BatchPadding batchPadding,
    Precision precision)
    implements Serializable {

  public ModelConfig {
    Objects.requireNonNull(modelFile, "modelFile");
    Objects.requireNonNull(device, "device");
    Objects.requireNonNull(cuda, "cuda");
    Objects.requireNonNull(batchPadding, "batchPadding");
    Objects.requireNonNull(precision, "precision");
    if (intraOpThreads < 0) {
      throw new IllegalArgumentException("intraOpThreads must be >= 0, got " + intraOpThreads);
    }
    if (sessions < 1) {
      throw new IllegalArgumentException("sessions must be >= 1, got " + sessions);
    }
  }

  public static ModelConfig of(Path modelPath) {
    return new ModelConfig(
        modelPath.toString(),
        Device.AUTO,
        0,
        true,
        CudaSettings.defaults(),
        1,
        BatchPadding.AUTO,
        Precision.FP32);
  }

  public Path modelPath() {
    return Path.of(modelFile);
  }

  public ModelConfig withDevice(Device value) {
    return new ModelConfig(
        modelFile, value, intraOpThreads, allowSpinning, cuda, sessions, batchPadding, precision);
  }

  public ModelConfig withIntraOpThreads(int value) {
    return new ModelConfig(
        modelFile, device, value, allowSpinning, cuda, sessions, batchPadding, precision);
  }

  public ModelConfig withAllowSpinning(boolean value) {
    return new ModelConfig(
        modelFile, device, intraOpThreads, value, cuda, sessions, batchPadding, precision);
  }

  public ModelConfig withCuda(CudaSettings value) {
    return new ModelConfig(
        modelFile, device, intraOpThreads, allowSpinning, value, sessions, batchPadding, precision);
  }

  public ModelConfig withSessions(int value) {
    return new ModelConfig(
        modelFile, device, intraOpThreads, allowSpinning, cuda, value, batchPadding, precision);
  }

  public ModelConfig withBatchPadding(BatchPadding value) {
    return new ModelConfig(
        modelFile, device, intraOpThreads, allowSpinning, cuda, sessions, value, precision);
  }

  public ModelConfig withPrecision(Precision value) {
    return new ModelConfig(
        modelFile, device, intraOpThreads, allowSpinning, cuda, sessions, batchPadding, value);
  }

  /** The same settings for another file (another copy of the model). */
  public ModelConfig withModelFile(Path file) {
    return new ModelConfig(
        file.toString(),
        device,
        intraOpThreads,
        allowSpinning,
        cuda,
        sessions,
        batchPadding,
        precision);
  }
}
