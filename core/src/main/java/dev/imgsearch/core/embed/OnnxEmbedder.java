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
import dev.imgsearch.core.config.Device;
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
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * An ONNX image encoder: batches of preprocessed CHW tensors in, unit-length vectors out.
 *
 * <p>Every ONNX Runtime call, session creation included, runs on threads that this embedder owns,
 * with a large stack (see {@link OrtRuntime}). Callers on a Flink task thread therefore never block
 * in native code. The embedder holds {@link ModelConfig#sessions} sessions, one thread each, and
 * runs up to that many batches at once, one per session; the cores are divided among them. On a CPU
 * two sessions run somewhat faster than one with twice the threads (a session's threads wait for
 * the slowest of them at every operator, and another batch fills that wait), at the cost of a
 * second copy of the weights and of the memory arena.
 */
public final class OnnxEmbedder implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(OnnxEmbedder.class);

  private final ExecutorService executor; // one thread per session
  private final OrtEnvironment env;
  private final List<Runner> runners;
  private final BlockingQueue<Runner> idle;
  private volatile ModelInfo model; // the dimension is completed by warmUp()
  private final String provider;
  private final int intraOpThreads;
  private final int batchSize;
  private final int imageFloats;
  private final TorchvisionPreprocessor normalizer; // stateless, shared by the runners
  private final Thread drainAtExit = new Thread(this::drain, "ort-drain-at-exit");

  /** A session and the buffers of the batch it runs; used by one thread at a time. */
  private static final class Runner {
    final OrtSession session;
    final float[] scratch; // one image's tensor
    FloatBuffer input; // reused across batches; grown when a larger batch arrives

    Runner(OrtSession session, int imageFloats) {
      this.session = session;
      this.scratch = new float[imageFloats];
    }
  }

  private OnnxEmbedder(
      ExecutorService executor,
      OrtEnvironment env,
      List<OrtSession> sessions,
      ModelInfo model,
      String provider,
      int intraOpThreads,
      int batchSize) {
    this.executor = executor;
    this.env = env;
    this.model = model;
    this.provider = provider;
    this.intraOpThreads = intraOpThreads;
    this.batchSize = batchSize;
    this.imageFloats = model.preprocess().tensorSize();
    this.normalizer = new TorchvisionPreprocessor(model.preprocess());
    this.runners = new ArrayList<>(sessions.size());
    for (OrtSession session : sessions) {
      runners.add(new Runner(session, imageFloats));
    }
    this.idle = new ArrayBlockingQueue<>(runners.size(), false, runners);
  }

  /**
   * Loads the model, picks the device, reads names, dimension and preprocessing from the model, and
   * runs one warm-up batch so that the first real batch is not slow.
   *
   * @throws ModelException when the model cannot be used; its message names the file and the fix
   */
  public static OnnxEmbedder open(ModelConfig config) {
    return open(config, 1);
  }

  /**
   * As {@link #open(ModelConfig)}, for a caller that keeps up to {@code imagesInFlight} images in
   * inference at once: each session runs batches of up to {@link #batchSize()} = {@code
   * imagesInFlight} / {@link #sessions()}, rounded up, so memory follows {@code imagesInFlight}
   * whatever the session count. Every session is warmed up at that batch size: the first run at a
   * larger batch than any before grows ONNX Runtime's memory arena and plans its buffers, which
   * made a streaming job's first full batch up to twice as slow.
   */
  public static OnnxEmbedder open(ModelConfig config, int imagesInFlight) {
    if (imagesInFlight < 1) {
      throw new IllegalArgumentException("images in flight must be >= 1, got " + imagesInFlight);
    }
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
    int count = config.sessions();
    int threads = intraOpThreads(config, count);
    ExecutorService executor =
        Executors.newFixedThreadPool(count, OrtRuntime.threadFactory("ort-inference"));
    List<OrtSession> sessions = new ArrayList<>();
    try {
      SessionWithProvider first =
          executor.submit(() -> createSession(env, config, path, threads, true)).get();
      sessions.add(first.session());
      boolean cpu = first.provider().equals("CPU");
      // The others on the device the first one found, created side by side: graph optimization
      // takes seconds, on one core each.
      ModelConfig rest = cpu ? config.withDevice(Device.CPU) : config;
      List<Future<SessionWithProvider>> others = new ArrayList<>();
      for (int i = 1; i < count; i++) {
        others.add(executor.submit(() -> createSession(env, rest, path, threads, false)));
      }
      ExecutionException failed = null;
      for (Future<SessionWithProvider> f : others) {
        try {
          sessions.add(f.get().session()); // every one is awaited, so none is left open
        } catch (ExecutionException e) {
          failed = failed == null ? e : failed;
        }
      }
      if (failed != null) {
        throw failed;
      }
      ModelInfo described = executor.submit(() -> describe(first.session(), path, sha256)).get();
      int batch = (imagesInFlight + sessions.size() - 1) / sessions.size();
      OnnxEmbedder embedder =
          new OnnxEmbedder(executor, env, sessions, described, first.provider(), threads, batch);
      embedder.warmUp(batch);
      // A JVM that exits (SIGTERM, Ctrl-C) while a batch is inside ONNX Runtime crashed with
      // SIGSEGV as the native library was torn down under the run; the hook lets it finish first.
      Runtime.getRuntime().addShutdownHook(embedder.drainAtExit);
      ModelInfo info = embedder.model();
      LOG.info(
          "Loaded encoder {} ({}-d, input '{}' {}x{}) from {} on {}: {} session(s) of {},"
              + " batches of up to {}",
          info.id(),
          info.dimension(),
          info.inputName(),
          info.preprocess().crop(),
          info.preprocess().crop(),
          path,
          first.provider(),
          sessions.size(),
          threads == 0 ? "ONNX Runtime's default threads" : threads + " intra-op thread(s)",
          batch);
      return embedder;
    } catch (ExecutionException e) {
      closeAll(sessions, executor);
      Throwable cause = e.getCause();
      if (cause instanceof ModelException me) {
        throw me;
      }
      throw new ModelException("cannot load model " + path + ": " + cause.getMessage(), cause);
    } catch (InterruptedException e) {
      closeAll(sessions, executor);
      Thread.currentThread().interrupt();
      throw new ModelException("interrupted while loading model " + path, e);
    } catch (OrtException e) {
      closeAll(sessions, executor);
      throw new ModelException(
          "cannot run model " + path + ": " + firstLine(e.getMessage()) + "; check the model file",
          e);
    } catch (RuntimeException e) {
      closeAll(sessions, executor);
      throw e;
    }
  }

  /** Intra-op threads per session: as configured, else the cores divided among the sessions. */
  static int intraOpThreads(ModelConfig config, int sessions) {
    if (config.intraOpThreads() > 0 || sessions == 1) {
      return config.intraOpThreads(); // 0 with one session: ONNX Runtime's own choice
    }
    return Math.max(1, Runtime.getRuntime().availableProcessors() / sessions);
  }

  private static void closeAll(List<OrtSession> sessions, ExecutorService executor) {
    for (OrtSession session : sessions) {
      try {
        session.close();
      } catch (OrtException | RuntimeException e) {
        LOG.debug("Closing a session after a failed load: {}", e.toString());
      }
    }
    executor.shutdownNow();
  }

  private record SessionWithProvider(OrtSession session, String provider) {}

  /**
   * @param intraOpThreads threads of this session; 0 = ONNX Runtime's choice
   * @param log whether to log the device choice (once per embedder, not per session)
   */
  private static SessionWithProvider createSession(
      OrtEnvironment env, ModelConfig config, Path path, int intraOpThreads, boolean log) {
    Device device = config.device();
    String threads =
        intraOpThreads == 0
            ? "intra-op threads: ORT default"
            : "intra-op threads: " + intraOpThreads;
    if (device.kind() != Device.Kind.CPU) {
      try (SessionOptions options = baseOptions(config, intraOpThreads)) {
        options.addCUDA(cudaOptions(device.index(), config.cuda()));
        OrtSession session = env.createSession(path.toString(), options);
        String provider = "CUDA device " + device.index();
        if (log) {
          LOG.info(
              "ONNX Runtime runs on {} ({}; {})",
              provider,
              CudaLibraries.inUse(),
              config.cuda().providerOptions(device.index()));
        }
        return new SessionWithProvider(session, provider);
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
        if (log) {
          LOG.info(
              "ONNX Runtime runs on the CPU ({}): CUDA is not available: {}",
              threads,
              CudaLibraries.diagnose(e.getMessage()));
          LOG.debug("The CUDA provider's error: {}", e.getMessage());
        }
      }
    } else if (log) {
      LOG.info("ONNX Runtime runs on the CPU ({}), as requested", threads);
    }
    try (SessionOptions options = baseOptions(config, intraOpThreads)) {
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

  private static SessionOptions baseOptions(ModelConfig config, int intraOpThreads)
      throws OrtException {
    SessionOptions options = new SessionOptions();
    options.setOptimizationLevel(OptLevel.ALL_OPT);
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
   * One run per session at the largest batch size, all at once, so that the first real batches are
   * not slow; it also measures a dynamic output dimension. Called by {@link #open} before it
   * returns the embedder.
   */
  private void warmUp(int batch) throws OrtException, InterruptedException, ExecutionException {
    long fixedBatch =
        ((TensorInfo) runners.get(0).session.getInputInfo().get(model.inputName()).getInfo())
            .getShape()[0];
    if (fixedBatch > 0 && fixedBatch != batch) {
      throw new ModelException(
          "model "
              + model.path()
              + " takes batches of exactly "
              + fixedBatch
              + " images, but batches of up to "
              + batch
              + " are run; export it with a dynamic batch axis (models/export_resnet50.py does)");
    }
    float[] zeros = new float[imageFloats];
    long start = System.nanoTime();
    List<Future<float[][]>> runs = new ArrayList<>();
    for (int i = 0; i < runners.size(); i++) {
      runs.add(executor.submit(() -> run(batch, (image, scratch) -> zeros)));
    }
    int ran = -1;
    for (Future<float[][]> f : runs) {
      ran = f.get()[0].length;
    }
    LOG.debug(
        "Warm-up: {} batch(es) of {} took {} ms",
        runs.size(),
        batch,
        (System.nanoTime() - start) / 1_000_000);
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

  /** Sessions, so the most batches that run at once; callers keep this many in flight. */
  public int sessions() {
    return runners.size();
  }

  /**
   * The largest batch a caller should pass: the images in flight given to {@link #open(ModelConfig,
   * int)} divided among the sessions. Larger batches work, but cost memory and a slow first run.
   */
  public int batchSize() {
    return batchSize;
  }

  /** Intra-op threads of each session; 0 = ONNX Runtime's choice. */
  public int intraOpThreads() {
    return intraOpThreads;
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

  /** Runs one batch on an idle session; there is one per executor thread, so none waits. */
  private float[][] run(int count, TensorSource source) throws OrtException {
    Runner runner;
    try {
      runner = idle.take();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while waiting for an ONNX Runtime session", e);
    }
    try {
      return run(runner, count, source);
    } finally {
      idle.add(runner);
    }
  }

  private float[][] run(Runner runner, int count, TensorSource source) throws OrtException {
    int floats = count * imageFloats;
    if (runner.input == null || runner.input.capacity() < floats) {
      // Direct and reused: ORT reads it in place, and a batch allocates nothing per image.
      runner.input =
          ByteBuffer.allocateDirect(floats * Float.BYTES)
              .order(ByteOrder.nativeOrder())
              .asFloatBuffer();
    }
    FloatBuffer input = runner.input;
    input.clear();
    for (int i = 0; i < count; i++) {
      input.put(source.tensor(i, runner.scratch));
    }
    input.flip();
    int crop = model.preprocess().crop();
    long[] shape = {count, 3, crop, crop};
    try (OnnxTensor tensor = OnnxTensor.createTensor(env, input, shape);
        OrtSession.Result result = runner.session.run(Map.of(model.inputName(), tensor))) {
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
      Runtime.getRuntime().removeShutdownHook(drainAtExit);
    } catch (IllegalStateException e) {
      // The JVM is exiting: the hook drains the runs.
    }
    // Queued and running batches finish first: a session must not close under a run.
    executor.shutdown();
    try {
      if (!executor.awaitTermination(30, TimeUnit.SECONDS)) {
        executor.shutdownNow();
        LOG.warn(
            "A batch of {} was still running 30 s after close; its sessions are left open",
            model.path());
        return;
      }
    } catch (InterruptedException e) {
      executor.shutdownNow();
      Thread.currentThread().interrupt();
      return;
    }
    for (Runner runner : runners) {
      try {
        runner.session.close();
      } catch (OrtException | RuntimeException e) {
        LOG.warn("Closing an ONNX Runtime session of {} failed: {}", model.path(), e.toString());
      }
    }
  }

  /** At JVM exit: drops queued batches and waits for the running ones to leave native code. */
  private void drain() {
    executor.shutdownNow();
    try {
      executor.awaitTermination(30, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
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
