package dev.imgsearch.core.embed;

import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import ai.onnxruntime.OrtSession.SessionOptions.OptLevel;
import dev.imgsearch.core.config.BatchPadding;
import dev.imgsearch.core.config.Device;
import dev.imgsearch.core.config.ModelConfig;
import dev.imgsearch.core.preprocess.PreprocessSpec;
import dev.imgsearch.core.preprocess.TorchvisionPreprocessor;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.ToIntFunction;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * An ONNX image encoder: batches of preprocessed images in, unit-length vectors out. The facade of
 * the embedding classes, in DJL's split: {@link SessionFactory} creates sessions on the device,
 * {@link ModelInspector} reads what the model is, {@link SessionPool} runs batches on its sessions
 * ({@link InferenceSession} packs the tensors), normalization is the preprocessor's ({@link
 * TorchvisionPreprocessor#normalize}) and L2 normalization the {@link EmbeddingPostprocessor}'s.
 *
 * <p>Every ONNX Runtime call, session creation included, runs on threads this embedder owns, with a
 * large stack ({@link OrtRuntime}): callers on a Flink task thread never block in native code. With
 * {@link ModelConfig#sessions} sessions, up to that many batches run at once and the cores are
 * divided among them; on a CPU two sessions run somewhat faster than one with twice the threads (a
 * session's threads wait for the slowest of them at every operator, and another batch fills that
 * wait), at the cost of a second copy of the weights and of the memory arena.
 */
public final class OnnxEmbedder implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(OnnxEmbedder.class);

  private final SessionPool pool;
  private final ModelInfo model;
  private final String provider;
  private final int intraOpThreads;
  private final int batchSize;
  private final int imageFloats;
  private final TorchvisionPreprocessor normalizer; // stateless, shared by the sessions

  private OnnxEmbedder(
      SessionPool pool, ModelInfo model, String provider, int intraOpThreads, int batchSize) {
    this.pool = pool;
    this.model = model;
    this.provider = provider;
    this.intraOpThreads = intraOpThreads;
    this.batchSize = batchSize;
    this.imageFloats = model.preprocess().tensorSize();
    this.normalizer = new TorchvisionPreprocessor(model.preprocess());
  }

  /**
   * Loads the model, picks the device, reads names, dimension and preprocessing from the model, and
   * warms it up, so that the first real batch is not slow.
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
   * whatever the session count. Every session is warmed up at that batch size (and at every bucket
   * when batches are padded, see {@link BatchPadding}).
   */
  public static OnnxEmbedder open(ModelConfig config, int imagesInFlight) {
    if (imagesInFlight < 1) {
      throw new IllegalArgumentException("images in flight must be >= 1, got " + imagesInFlight);
    }
    ModelFile file = ModelFile.read(config.modelPath());
    OrtEnvironment env = OrtRuntime.environment();
    int count = config.sessions();
    int threads = intraOpThreads(config, count);
    ExecutorService executor =
        Executors.newFixedThreadPool(count, OrtRuntime.threadFactory("ort-inference"));
    List<OrtSession> created = new ArrayList<>();
    SessionPool pool = null;
    try {
      SessionFactory factory = new SessionFactory(env, config, file.path(), threads);
      SessionFactory.Created first = await(executor.submit(() -> factory.create(true)));
      created.add(first.session());
      // The others on the device the first one found, created side by side: graph optimization
      // takes seconds, on one core each.
      SessionFactory rest = first.onCpu() ? factory.onCpu() : factory;
      List<Future<SessionFactory.Created>> others = new ArrayList<>();
      for (int i = 1; i < count; i++) {
        others.add(executor.submit(() -> rest.create(false)));
      }
      ExecutionException failed = null;
      for (Future<SessionFactory.Created> f : others) {
        try {
          created.add(f.get().session()); // every one is awaited, so none is left open
        } catch (ExecutionException e) {
          failed = failed == null ? e : failed;
        }
      }
      if (failed != null) {
        throw failed;
      }
      int batch = (imagesInFlight + count - 1) / count;
      ModelInfo described =
          await(
              executor.submit(
                  () -> {
                    ModelInfo info = ModelInspector.describe(first.session(), file);
                    ModelInspector.requireBatchAxis(first.session(), info, batch);
                    return info;
                  }));
      List<InferenceSession> sessions = new ArrayList<>();
      for (OrtSession s : created) {
        sessions.add(new InferenceSession(env, s, described));
      }
      pool = new SessionPool(executor, sessions, shapes(config, first, batch), first.provider());
      ModelInfo info =
          checkedDimension(described, pool.warmUp(described.preprocess().tensorSize()));
      LOG.info(
          "Loaded encoder {} ({}-d, input '{}' {}x{}) from {} on {}: {} session(s) of {},"
              + " batches {}",
          info.id(),
          info.dimension(),
          info.inputName(),
          info.preprocess().crop(),
          info.preprocess().crop(),
          file.path(),
          first.provider(),
          sessions.size(),
          threads == 0 ? "ONNX Runtime's default threads" : threads + " intra-op thread(s)",
          pool.shapes());
      return new OnnxEmbedder(pool, info, first.provider(), threads, batch);
    } catch (RuntimeException | ExecutionException | InterruptedException e) {
      if (pool != null) {
        pool.close();
      } else {
        closeAll(created, executor);
      }
      throw loadFailure(file, e);
    }
  }

  /**
   * What the model is (name, hash, tensor names, dimension, preprocessing), read with the cheapest
   * possible load: one CPU session without graph optimization, which takes a fraction of a full
   * load's seconds. For the client that plans a job; the TaskManagers load the model for real.
   */
  public static ModelInfo probe(ModelConfig config) {
    ModelFile file = ModelFile.read(config.modelPath());
    OrtEnvironment env = OrtRuntime.environment();
    ExecutorService executor =
        Executors.newSingleThreadExecutor(OrtRuntime.threadFactory("ort-probe"));
    List<OrtSession> created = new ArrayList<>();
    try {
      SessionFactory factory =
          new SessionFactory(
                  env, config.withDevice(Device.CPU).withAllowSpinning(false), file.path(), 1)
              .withOptimization(OptLevel.NO_OPT);
      return await(
          executor.submit(
              () -> {
                SessionFactory.Created probe = factory.create(false);
                created.add(probe.session());
                ModelInfo info = ModelInspector.describe(probe.session(), file);
                if (info.dimension() > 0) {
                  return info;
                }
                float[] zeros = new float[info.preprocess().tensorSize()];
                float[][] out =
                    new InferenceSession(env, probe.session(), info)
                        .run(1, 1, (i, scratch) -> zeros);
                return info.withDimension(out[0].length);
              }));
    } catch (RuntimeException | ExecutionException | InterruptedException e) {
      throw loadFailure(file, e);
    } finally {
      closeAll(created, executor);
    }
  }

  private static BatchShapes shapes(ModelConfig config, SessionFactory.Created first, int batch) {
    boolean buckets =
        config.batchPadding() == BatchPadding.BUCKETS
            || (config.batchPadding() == BatchPadding.AUTO && !first.onCpu());
    return buckets ? BatchShapes.buckets(batch) : BatchShapes.exact(batch);
  }

  private static ModelInfo checkedDimension(ModelInfo model, int measured) {
    if (model.dimension() > 0 && measured != model.dimension()) {
      throw new ModelException(
          "model "
              + model.path()
              + " declares "
              + model.dimension()
              + "-d output but gives "
              + measured);
    }
    return model.withDimension(measured);
  }

  /** Intra-op threads per session: as configured, else the cores divided among the sessions. */
  static int intraOpThreads(ModelConfig config, int sessions) {
    if (config.intraOpThreads() > 0 || sessions == 1) {
      return config.intraOpThreads(); // 0 with one session: ONNX Runtime's own choice
    }
    return Math.max(1, Runtime.getRuntime().availableProcessors() / sessions);
  }

  private static <T> T await(Future<T> future) throws ExecutionException, InterruptedException {
    return future.get();
  }

  private static ModelException loadFailure(ModelFile file, Exception e) {
    Throwable cause = e instanceof ExecutionException ? e.getCause() : e;
    if (cause instanceof ModelException me) {
      return me;
    }
    if (cause instanceof InterruptedException) {
      Thread.currentThread().interrupt();
      return new ModelException("interrupted while loading model " + file.path(), cause);
    }
    if (cause instanceof OrtException) {
      return new ModelException(
          "cannot run model "
              + file.path()
              + ": "
              + CudaLibraries.firstLine(cause.getMessage())
              + "; check the model file",
          cause);
    }
    return new ModelException(
        "cannot load model " + file.path() + ": " + cause.getMessage(), cause);
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
    return pool.size();
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
    checkSizes(tensors, t -> t.length, "floats");
    return pool.submit(tensors.size(), (i, scratch) -> tensors.get(i));
  }

  /**
   * Embeds one batch of {@link TorchvisionPreprocessor#window windows} (resized, cropped RGB, HWC
   * bytes): each is normalized on the inference thread straight into the batch buffer, so callers
   * never hold float tensors. Do not modify the windows until the future completes.
   */
  public CompletableFuture<float[][]> embedWindowsAsync(List<byte[]> windows) {
    checkSizes(windows, w -> w.length, "bytes");
    return pool.submit(
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

  private <T> void checkSizes(List<T> items, ToIntFunction<T> size, String unit) {
    for (T item : items) {
      if (size.applyAsInt(item) != imageFloats) {
        throw new IllegalArgumentException(
            "input of "
                + size.applyAsInt(item)
                + " "
                + unit
                + " given, the model takes "
                + imageFloats);
      }
    }
  }

  @Override
  public void close() {
    pool.close();
  }
}
