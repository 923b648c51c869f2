package dev.imgsearch.core.embed;

import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtLoggingLevel;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The process-wide ONNX Runtime environment, created on a thread with a large stack.
 *
 * <p>Creating the environment (and sessions) on a Flink task thread, whose stack is the JVM
 * default, crashed a TaskManager JVM with a deep native stack. All ORT work in this project
 * therefore runs on threads made by {@link #threadFactory(String)}. The environment is never
 * closed: ORT allows one per process.
 */
public final class OrtRuntime {

  /** Enough for ORT's graph optimisers and CUDA initialisation; 8 MiB was measured to suffice. */
  static final long STACK_SIZE = 16L << 20;

  private static volatile OrtEnvironment environment;

  private OrtRuntime() {}

  public static OrtEnvironment environment() {
    OrtEnvironment env = environment;
    if (env == null) {
      synchronized (OrtRuntime.class) {
        env = environment;
        if (env == null) {
          env =
              callOnLargeStack(
                  () ->
                      OrtEnvironment.getEnvironment(
                          OrtLoggingLevel.ORT_LOGGING_LEVEL_WARNING, "imgsearch"));
          environment = env;
        }
      }
    }
    return env;
  }

  public static ThreadFactory threadFactory(String prefix) {
    AtomicInteger n = new AtomicInteger();
    return r -> {
      Thread t = new Thread(null, r, prefix + "-" + n.incrementAndGet(), STACK_SIZE);
      t.setDaemon(true);
      return t;
    };
  }

  /** Runs {@code task} on a fresh large-stack thread and waits for it. */
  static <T> T callOnLargeStack(Callable<T> task) {
    Object[] result = new Object[1];
    Throwable[] error = new Throwable[1];
    Thread t =
        threadFactory("ort-init")
            .newThread(
                () -> {
                  try {
                    result[0] = task.call();
                  } catch (Throwable e) {
                    error[0] = e;
                  }
                });
    t.start();
    try {
      t.join();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while starting ONNX Runtime", e);
    }
    if (error[0] != null) {
      Throwable e = error[0];
      if (e instanceof RuntimeException re) {
        throw re;
      }
      if (e instanceof Error err) {
        throw err;
      }
      throw new IllegalStateException(e.getMessage(), new ExecutionException(e));
    }
    @SuppressWarnings("unchecked")
    T value = (T) result[0];
    return value;
  }
}
