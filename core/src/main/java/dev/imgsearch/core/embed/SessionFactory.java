package dev.imgsearch.core.embed;

import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import ai.onnxruntime.OrtSession.SessionOptions;
import ai.onnxruntime.OrtSession.SessionOptions.OptLevel;
import ai.onnxruntime.providers.OrtCUDAProviderOptions;
import dev.imgsearch.core.config.CudaSettings;
import dev.imgsearch.core.config.Device;
import dev.imgsearch.core.config.ModelConfig;
import java.nio.file.Path;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Creates ONNX Runtime sessions of one model on the configured device: CUDA when asked for or, with
 * {@code auto}, when the provider loads, else the CPU. What is missing for CUDA is named once, with
 * the fix ({@link CudaLibraries}). Call it on a large-stack thread ({@link OrtRuntime}).
 */
final class SessionFactory {

  private static final Logger LOG = LoggerFactory.getLogger(SessionFactory.class);

  /** A session and where it runs: "CPU" or "CUDA device N". */
  record Created(OrtSession session, String provider) {
    boolean onCpu() {
      return provider.equals("CPU");
    }
  }

  private final OrtEnvironment env;
  private final ModelConfig config;
  private final Path path;
  private final int intraOpThreads;
  private final OptLevel optimization;

  /**
   * @param intraOpThreads threads of each session; 0 = ONNX Runtime's choice
   */
  SessionFactory(OrtEnvironment env, ModelConfig config, Path path, int intraOpThreads) {
    this(env, config, path, intraOpThreads, OptLevel.ALL_OPT);
  }

  private SessionFactory(
      OrtEnvironment env, ModelConfig config, Path path, int intraOpThreads, OptLevel level) {
    this.env = env;
    this.config = config;
    this.path = path;
    this.intraOpThreads = intraOpThreads;
    this.optimization = level;
  }

  /** The same factory pinned to the CPU: for the sessions after the first one fell back. */
  SessionFactory onCpu() {
    return new SessionFactory(
        env, config.withDevice(Device.CPU), path, intraOpThreads, optimization);
  }

  /**
   * The same factory at another graph optimization level: a probe that only reads the model's
   * description needs none of the seconds that full optimization takes.
   */
  SessionFactory withOptimization(OptLevel level) {
    return new SessionFactory(env, config, path, intraOpThreads, level);
  }

  /**
   * @param logChoice whether to log the device choice (once per embedder, not per session)
   * @throws ModelException when the model cannot be loaded, or CUDA was insisted on and fails
   */
  Created create(boolean logChoice) {
    Device device = config.device();
    if (device.kind() == Device.Kind.AUTO && !GpuDevices.worthTrying()) {
      if (logChoice) {
        LOG.info(
            "ONNX Runtime runs on the CPU ({}): this machine shows no NVIDIA GPU (no /dev/nvidiactl,"
                + " /dev/nvidiaN, /dev/dxg or /proc/driver/nvidia)",
            threadsText());
      }
    } else if (device.kind() != Device.Kind.CPU) {
      try (SessionOptions options = baseOptions()) {
        options.addCUDA(cudaOptions(device.index(), config.cuda()));
        OrtSession session = env.createSession(path.toString(), options);
        String provider = "CUDA device " + device.index();
        if (logChoice) {
          LOG.info(
              "ONNX Runtime runs on {} ({}; {})",
              provider,
              CudaLibraries.inUse(),
              config.cuda().providerOptions(device.index()));
        }
        return new Created(session, provider);
      } catch (OrtException | RuntimeException e) {
        if (device.kind() == Device.Kind.CUDA) {
          throw new ModelException(
              "device "
                  + device
                  + " was requested, but the CUDA provider cannot run model "
                  + path
                  + ": "
                  + CudaLibraries.diagnose(e.getMessage())
                  + "; or use --device cpu or auto",
              e);
        }
        if (logChoice) {
          LOG.info(
              "ONNX Runtime runs on the CPU ({}): CUDA is not available: {}",
              threadsText(),
              CudaLibraries.diagnose(e.getMessage()));
          LOG.debug("The CUDA provider's error: {}", e.getMessage());
        }
      }
    } else if (logChoice) {
      LOG.info("ONNX Runtime runs on the CPU ({}), as requested", threadsText());
    }
    try (SessionOptions options = baseOptions()) {
      return new Created(env.createSession(path.toString(), options), "CPU");
    } catch (OrtException e) {
      throw new ModelException(
          "cannot load "
              + path
              + " as an ONNX model: "
              + CudaLibraries.firstLine(e.getMessage())
              + "; check that the file is a complete ONNX encoder",
          e);
    }
  }

  private String threadsText() {
    return intraOpThreads == 0
        ? "intra-op threads: ORT default"
        : "intra-op threads: " + intraOpThreads;
  }

  private SessionOptions baseOptions() throws OrtException {
    SessionOptions options = new SessionOptions();
    options.setOptimizationLevel(optimization);
    if (intraOpThreads > 0) {
      options.setIntraOpNumThreads(intraOpThreads);
    }
    options.addConfigEntry("session.intra_op.allow_spinning", config.allowSpinning() ? "1" : "0");
    return options;
  }

  private static OrtCUDAProviderOptions cudaOptions(int deviceId, CudaSettings settings)
      throws OrtException {
    OrtCUDAProviderOptions cuda = new OrtCUDAProviderOptions(deviceId);
    for (Map.Entry<String, String> e : settings.providerOptions(deviceId).entrySet()) {
      cuda.add(e.getKey(), e.getValue());
    }
    return cuda;
  }
}
