package dev.imgsearch.core.embed;

import ai.onnxruntime.OrtException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Sessions of one model with one large-stack thread each: up to that many batches run at once, one
 * per session, and a batch never waits for a session (there is one per thread). At JVM exit it lets
 * running batches leave native code first: a JVM that exited (SIGTERM, Ctrl-C) while a batch was
 * inside ONNX Runtime crashed with SIGSEGV as the library was torn down under the run.
 */
final class SessionPool implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(SessionPool.class);

  private final ExecutorService executor;
  private final List<InferenceSession> sessions;
  private final BlockingQueue<InferenceSession> idle;
  private final BatchShapes shapes;
  private final String provider;
  private final Thread drainAtExit = new Thread(this::drain, "ort-drain-at-exit");

  SessionPool(
      ExecutorService executor,
      List<InferenceSession> sessions,
      BatchShapes shapes,
      String provider) {
    this.executor = executor;
    this.sessions = List.copyOf(sessions);
    this.idle = new ArrayBlockingQueue<>(sessions.size(), false, sessions);
    this.shapes = shapes;
    this.provider = provider;
    Runtime.getRuntime().addShutdownHook(drainAtExit);
  }

  int size() {
    return sessions.size();
  }

  BatchShapes shapes() {
    return shapes;
  }

  /** Runs one batch on the pool; the future fails with the provider named if inference fails. */
  CompletableFuture<float[][]> submit(int count, InferenceSession.TensorSource source) {
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

  /**
   * One run per session at every warm-up shape, the sessions side by side, so that the first real
   * batches are not slow (the first run at a new size grows ORT's arena and plans its buffers; on a
   * GPU it also searches cuDNN's algorithms). Returns the output dimension.
   */
  int warmUp(int imageFloats) throws InterruptedException, ExecutionException {
    float[] zeros = new float[imageFloats];
    int dimension = -1;
    for (int shape : shapes.warmUp()) {
      List<Future<float[][]>> runs = new ArrayList<>();
      for (int i = 0; i < sessions.size(); i++) {
        runs.add(executor.submit(() -> run(shape, (image, scratch) -> zeros)));
      }
      for (Future<float[][]> f : runs) {
        dimension = f.get()[0].length;
      }
    }
    return dimension;
  }

  private float[][] run(int count, InferenceSession.TensorSource source) throws OrtException {
    InferenceSession session;
    try {
      session = idle.take();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while waiting for an ONNX Runtime session", e);
    }
    try {
      return session.run(count, shapes.shapeFor(count), source);
    } finally {
      idle.add(session);
    }
  }

  /** Queued and running batches finish first: a session must not close under a run. */
  @Override
  public void close() {
    try {
      Runtime.getRuntime().removeShutdownHook(drainAtExit);
    } catch (IllegalStateException e) {
      // The JVM is exiting: the hook drains the runs.
    }
    executor.shutdown();
    try {
      if (!executor.awaitTermination(30, TimeUnit.SECONDS)) {
        executor.shutdownNow();
        LOG.warn("A batch was still running 30 s after close; its sessions are left open");
        return;
      }
    } catch (InterruptedException e) {
      executor.shutdownNow();
      Thread.currentThread().interrupt();
      return;
    }
    for (InferenceSession session : sessions) {
      try {
        session.close();
      } catch (OrtException | RuntimeException e) {
        LOG.warn("Closing an ONNX Runtime session failed: {}", e.toString());
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
}
