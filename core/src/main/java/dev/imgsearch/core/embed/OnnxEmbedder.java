package dev.imgsearch.core.embed;

import ai.onnxruntime.NodeInfo;
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import ai.onnxruntime.OrtSession.SessionOptions;
import ai.onnxruntime.OrtSession.SessionOptions.OptLevel;
import ai.onnxruntime.TensorInfo;
import ai.onnxruntime.providers.OrtCUDAProviderOptions;
import dev.imgsearch.core.config.CudaSettings;
import dev.imgsearch.core.config.ModelConfig;
import dev.imgsearch.core.preprocess.PreprocessSpec;
import dev.imgsearch.core.preprocess.TorchvisionPreprocessor;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * An ONNX image encoder: batches of preprocessed CHW tensors in, unit-length vectors out.
 *
 * <p>Every ONNX Runtime call, session creation included, runs on one thread that this embedder
 * owns, with a large stack (see {@link OrtRuntime}). Callers on a Flink task thread therefore never
 * block in native code, and batches are run strictly one after another, which is what a CPU session
 * wants anyway.
 */
public final class OnnxEmbedder implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(OnnxEmbedder.class);

  private final ExecutorService executor;
  private final OrtEnvironment env;
  private final OrtSession session;
  private ModelInfo model; // the dimension is completed by warmUp()
  private final String provider;
  private final int imageFloats;
  private final TorchvisionPreprocessor normalizer;
  private final float[] scratch; // one image's tensor, reused on the inference thread
  private FloatBuffer input; // reused across batches; grown when a larger batch arrives

  private OnnxEmbedder(
      ExecutorService executor,
      OrtEnvironment env,
      OrtSession session,
      ModelInfo model,
      String provider) {
    this.executor = executor;
    this.env = env;
    this.session = session;
    this.model = model;
    this.provider = provider;
    this.imageFloats = model.preprocess().tensorSize();
    this.normalizer = new TorchvisionPreprocessor(model.preprocess());
    this.scratch = new float[imageFloats];
  }

  /**
   * Loads the model, picks the device, reads names, dimension and preprocessing from the model, and
   * runs one warm-up batch so that the first real batch is not slow.
   *
   * @throws ModelException when the model cannot be used; its message names the file and the fix
   */
  public static OnnxEmbedder open(ModelConfig config) {
    Path path = config.modelPath().toAbsolutePath().normalize();
    if (!Files.isRegularFile(path)) {
      throw new ModelException(
          "model file "
              + path
              + " does not exist; pass --model with the path of an ONNX encoder"
              + " (models/export_resnet50.py exports ResNet50)");
    }
    String sha256 = sha256(path);
    OrtEnvironment env = OrtRuntime.environment();
    ExecutorService executor =
        Executors.newSingleThreadExecutor(OrtRuntime.threadFactory("ort-inference"));
    try {
      OnnxEmbedder embedder =
          executor.submit(() -> create(env, executor, config, path, sha256)).get();
      return embedder;
    } catch (java.util.concurrent.ExecutionException e) {
      executor.shutdownNow();
      Throwable cause = e.getCause();
      if (cause instanceof ModelException me) {
        throw me;
      }
      throw new ModelException("cannot load model " + path + ": " + cause.getMessage(), cause);
    } catch (InterruptedException e) {
      executor.shutdownNow();
      Thread.currentThread().interrupt();
      throw new ModelException("interrupted while loading model " + path, e);
    }
  }

  private static OnnxEmbedder create(
      OrtEnvironment env, ExecutorService executor, ModelConfig config, Path path, String sha256)
      throws OrtException {
    SessionWithProvider sp = createSession(env, config, path);
    try {
      OnnxEmbedder embedder =
          new OnnxEmbedder(
              executor, env, sp.session(), describe(sp.session(), path, sha256), sp.provider());
      embedder.warmUp();
      ModelInfo info = embedder.model();
      LOG.info(
          "Loaded encoder {} ({}-d, input '{}' {}x{}) from {} on {}",
          info.id(),
          info.dimension(),
          info.inputName(),
          info.preprocess().crop(),
          info.preprocess().crop(),
          path,
          sp.provider());
      return embedder;
    } catch (RuntimeException | OrtException e) {
      sp.session().close();
      throw e;
    }
  }

  private record SessionWithProvider(OrtSession session, String provider) {}

  private static SessionWithProvider createSession(
      OrtEnvironment env, ModelConfig config, Path path) {
    Device device = config.device();
    String threads =
        config.intraOpThreads() == 0
            ? "intra-op threads: ORT default"
            : "intra-op threads: " + config.intraOpThreads();
    if (device.kind() != Device.Kind.CPU) {
      try (SessionOptions options = baseOptions(config)) {
        options.addCUDA(cudaOptions(device.index(), config.cuda()));
        OrtSession session = env.createSession(path.toString(), options);
        String provider = "CUDA device " + device.index();
        LOG.info(
            "ONNX Runtime runs on {} ({})",
            provider,
            config.cuda().providerOptions(device.index()));
        return new SessionWithProvider(session, provider);
      } catch (OrtException | RuntimeException e) {
        if (device.kind() == Device.Kind.CUDA) {
          throw new ModelException(
              "device "
                  + device
                  + " was requested, but the CUDA provider cannot run model "
                  + path
                  + ": "
                  + firstLine(e.getMessage())
                  + "; install CUDA 12 and cuDNN 9, or use --device cpu or auto",
              e);
        }
        LOG.info(
            "ONNX Runtime runs on the CPU ({}): CUDA is not available ({})",
            threads,
            firstLine(e.getMessage()));
      }
    } else {
      LOG.info("ONNX Runtime runs on the CPU ({}), as requested", threads);
    }
    try (SessionOptions options = baseOptions(config)) {
      return new SessionWithProvider(env.createSession(path.toString(), options), "CPU");
    } catch (OrtException e) {
      throw new ModelException(
          "cannot load "
              + path
              + " as an ONNX model: "
              + firstLine(e.getMessage())
              + "; check that the file is a complete ONNX encoder",
          e);
    }
  }

  private static SessionOptions baseOptions(ModelConfig config) throws OrtException {
    SessionOptions options = new SessionOptions();
    options.setOptimizationLevel(OptLevel.ALL_OPT);
    if (config.intraOpThreads() > 0) {
      options.setIntraOpNumThreads(config.intraOpThreads());
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

  private static ModelInfo describe(OrtSession session, Path path, String sha256)
      throws OrtException {
    if (session.getNumInputs() != 1) {
      throw new ModelException(
          "model "
              + path
              + " has "
              + session.getNumInputs()
              + " inputs; an image encoder takes exactly one [N, 3, H, W] tensor");
    }
    NodeInfo in = session.getInputInfo().values().iterator().next();
    NodeInfo out = session.getOutputInfo().values().iterator().next();
    if (!(in.getInfo() instanceof TensorInfo inInfo) || inInfo.getShape().length != 4) {
      throw new ModelException(
          "model " + path + " input '" + in.getName() + "' is not a [N, 3, H, W] float tensor");
    }
    long[] inShape = inInfo.getShape();
    if (inShape[1] != 3) {
      throw new ModelException(
          "model " + path + " expects " + inShape[1] + " channels; an RGB encoder expects 3");
    }
    Map<String, String> meta = session.getMetadata().getCustomMetadata();
    PreprocessSpec spec = ModelMetadata.preprocessSpec(meta);
    if ((inShape[2] > 0 && inShape[2] != spec.crop())
        || (inShape[3] > 0 && inShape[3] != spec.crop())) {
      throw new ModelException(
          String.format(
              "model %s expects %dx%d input, but its preprocessing crops %dx%d;"
                  + " set the ONNX metadata %s to match",
              path, inShape[3], inShape[2], spec.crop(), spec.crop(), ModelMetadata.CROP));
    }
    int dimension = -1;
    if (out.getInfo() instanceof TensorInfo outInfo) {
      long[] shape = outInfo.getShape();
      long d = 1;
      for (int i = 1; i < shape.length; i++) {
        d = shape[i] < 0 ? -1 : d * shape[i];
        if (d < 0) {
          break;
        }
      }
      dimension = (int) d;
    }
    String name = ModelMetadata.name(meta, path);
    return new ModelInfo(name, path, sha256, in.getName(), out.getName(), dimension, spec);
  }

  /**
   * One run, so the first real batch is not slow; it also measures a dynamic output dimension. Runs
   * on the inference thread before {@link #open} returns the embedder, which publishes the updated
   * model info safely.
   */
  private void warmUp() throws OrtException {
    int ran = run(1, (i, zeros) -> new float[imageFloats])[0].length;
    if (model.dimension() > 0 && ran != model.dimension()) {
      throw new ModelException(
          "model "
              + model.path()
              + " declares "
              + model.dimension()
              + "-d output but gives "
              + ran);
    }
    model = model.withDimension(ran);
  }

  public ModelInfo model() {
    return model;
  }

  /** The output dimension, read from the model (or from the warm-up run when it is dynamic). */
  public int dimension() {
    return model.dimension();
  }

  /** "CPU" or "CUDA device N". */
  public String provider() {
    return provider;
  }

  public PreprocessSpec preprocessSpec() {
    return model.preprocess();
  }

  /**
   * Embeds one batch of CHW tensors. The tensors are copied into the session's input buffer on the
   * inference thread: do not modify them until the future completes.
   */
  public CompletableFuture<float[][]> embedAsync(List<float[]> tensors) {
    checkSizes(tensors, t -> t.length, imageFloats, "floats");
    return submit(tensors.size(), (i, scratch) -> tensors.get(i));
  }

  /**
   * Embeds one batch of {@link TorchvisionPreprocessor#window windows} (resized, cropped RGB, HWC
   * bytes): each is normalized on the inference thread straight into the batch buffer, so callers
   * never hold float tensors. Do not modify the windows until the future completes.
   */
  public CompletableFuture<float[][]> embedWindowsAsync(List<byte[]> windows) {
    checkSizes(windows, w -> w.length, imageFloats, "bytes");
    return submit(
        windows.size(),
        (i, scratch) -> {
          normalizer.normalize(windows.get(i), scratch, 0);
          return scratch;
        });
  }

  /** Blocking form of {@link #embedAsync}. */
  public float[][] embed(List<float[]> tensors) {
    try {
      return embedAsync(tensors).join();
    } catch (CompletionException e) {
      if (e.getCause() instanceof RuntimeException re) {
        throw re;
      }
      throw e;
    }
  }

  /** Gives image {@code i}'s CHW tensor, possibly written into the reusable {@code scratch}. */
  private interface TensorSource {
    float[] tensor(int i, float[] scratch);
  }

  private static <T> void checkSizes(
      List<T> items, java.util.function.ToIntFunction<T> size, int expected, String unit) {
    for (T item : items) {
      if (size.applyAsInt(item) != expected) {
        throw new IllegalArgumentException(
            "input of "
                + size.applyAsInt(item)
                + " "
                + unit
                + " given, the model takes "
                + expected);
      }
    }
  }

  private CompletableFuture<float[][]> submit(int count, TensorSource source) {
    if (count == 0) {
      return CompletableFuture.completedFuture(new float[0][]);
    }
    return CompletableFuture.supplyAsync(
        () -> {
          try {
            return run(count, source);
          } catch (OrtException e) {
            throw new CompletionException(
                new IllegalStateException(
                    "inference failed on " + provider + ": " + e.getMessage(), e));
          }
        },
        executor);
  }

  private float[][] run(int count, TensorSource source) throws OrtException {
    int floats = count * imageFloats;
    if (input == null || input.capacity() < floats) {
      // Direct and reused: ORT reads it in place, and a batch allocates nothing per image.
      input =
          ByteBuffer.allocateDirect(floats * Float.BYTES)
              .order(ByteOrder.nativeOrder())
              .asFloatBuffer();
    }
    input.clear();
    for (int i = 0; i < count; i++) {
      input.put(source.tensor(i, scratch));
    }
    input.flip();
    int crop = model.preprocess().crop();
    long[] shape = {count, 3, crop, crop};
    try (OnnxTensor tensor = OnnxTensor.createTensor(env, input, shape);
        OrtSession.Result result = session.run(Map.of(model.inputName(), tensor))) {
      OnnxTensor out = (OnnxTensor) result.get(0);
      FloatBuffer values = out.getFloatBuffer();
      int dim = values.remaining() / count;
      float[][] vectors = new float[count][dim];
      for (int i = 0; i < count; i++) {
        values.get(vectors[i]);
        EmbeddingPostprocessor.l2Normalize(vectors[i]);
      }
      return vectors;
    }
  }

  @Override
  public void close() {
    try {
      executor
          .submit(
              () -> {
                session.close();
                return null;
              })
          .get(30, TimeUnit.SECONDS);
    } catch (Exception e) {
      LOG.warn("Closing the ONNX Runtime session of {} failed: {}", model.path(), e.toString());
    } finally {
      executor.shutdownNow();
    }
  }

  static String sha256(Path path) {
    try (InputStream in = Files.newInputStream(path)) {
      MessageDigest digest = MessageDigest.getInstance("SHA-256");
      byte[] buf = new byte[1 << 16];
      for (int n; (n = in.read(buf)) > 0; ) {
        digest.update(buf, 0, n);
      }
      return HexFormat.of().formatHex(digest.digest());
    } catch (IOException e) {
      throw new ModelException(
          "cannot read model file " + path + ": " + e.getMessage() + "; check its permissions", e);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  private static String firstLine(String message) {
    if (message == null) {
      return "no message";
    }
    int nl = message.indexOf('\n');
    return (nl < 0 ? message : message.substring(0, nl)).strip();
  }
}
