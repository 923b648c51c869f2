package dev.imgsearch.core.embed;

import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtLoggingLevel;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The process-wide ONNX Runtime environment, created on a thread with a large stack.
 *
 * <p>Creating the environment (and sessions) on a Flink task thread, whose stack is the JVM
 * default, crashed a TaskManager JVM with a deep native stack. All ORT work in this project
 * therefore runs on threads made by {@link #threadFactory(String)}. The environment is never
 * closed: ORT allows one per process.
 *
 * <p>Telemetry: ONNX Runtime's official Linux builds since 1.29 record usage events for Microsoft
 * with the 1DS SDK (a device ID and an event queue under {@code
 * ~/.cache/Microsoft/DeveloperTools/.onnxruntime}, uploaded to {@code
 * mobile.events.data.microsoft.com} when the network allows, plus {@code mat-debug-PID.log} and
 * {@code .ses} files in the temporary folder): the process, the OS and CPU, each model's graph
 * name, producer and metadata, and run timings. Only {@value #TELEMETRY_VARIABLE}{@code =1} in the
 * environment before the library loads stops all of it (ORT's {@code docs/Privacy.md}); every
 * launcher this project ships sets it. Here the environment also turns ORT's optional events off
 * ({@link OrtEnvironment#setTelemetry}), which left 3 of 9 events in a measured run (the process
 * information and the device ID stay), and warns once when the variable is missing.
 */
public final class OrtRuntime {

  private static final Logger LOG = LoggerFactory.getLogger(OrtRuntime.class);

  /** The environment variable that keeps ONNX Runtime's telemetry from starting. */
  public static final String TELEMETRY_VARIABLE = "ORT_DISABLE_TELEMETRY";

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
                  () -> {
                    OrtEnvironment created =
                        OrtEnvironment.getEnvironment(
                            OrtLoggingLevel.ORT_LOGGING_LEVEL_WARNING, "imgsearch");
                    created.setTelemetry(false);
                    return created;
                  });
          if (!telemetryDisabled(System.getenv(TELEMETRY_VARIABLE))) {
            LOG.warn(
                "ONNX Runtime records usage telemetry for Microsoft (a device ID and events"
                    + " under ~/.cache/Microsoft/DeveloperTools/.onnxruntime, uploaded when it can"
                    + " reach the network); its optional events are now off, but only {}=1 in"
                    + " this process's environment stops the rest: export it before starting"
                    + " java (docker/, scripts/flink-cluster.sh and the Kubernetes manifest do)",
                TELEMETRY_VARIABLE);
          }
          environment = env;
        }
      }
    }
    return env;
  }

  /**
   * Whether a value of {@value #TELEMETRY_VARIABLE} turns the telemetry off, as ORT 1.29 reads it
   * (measured): 1, true, yes or on, in any case, spaces around ignored; anything else leaves it on.
   */
  static boolean telemetryDisabled(String value) {
    if (value == null) {
      return false;
    }
    String v = value.strip().toLowerCase(Locale.ROOT);
    return v.equals("1") || v.equals("true") || v.equals("yes") || v.equals("on");
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
