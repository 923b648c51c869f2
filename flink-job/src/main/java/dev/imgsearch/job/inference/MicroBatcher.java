package dev.imgsearch.job.inference;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

/**
 * Joins items into batches for a runner that handles up to {@code maxInFlight} batches at a time
 * (one per inference session). A batch is handed on when the runner has room and either {@code
 * maxSize} items wait or the oldest waiting item has waited {@code maxWait}. While the runner is
 * full, items accumulate, so batches grow under load instead of queueing up as many small ones: the
 * batch size adapts to the inference speed. Each item is handed on exactly once.
 *
 * <p>Modelled on Flink's {@code AsyncBatchWaitOperator}, but inside an async function, so that the
 * async operator keeps checkpointing in-flight records.
 */
final class MicroBatcher<T> implements AutoCloseable {
  private final int maxSize;
  private final int maxInFlight;
  private final long maxWaitNanos;
  private final ScheduledExecutorService timer;
  private final Function<List<T>, CompletionStage<?>> runner;

  private final List<T> buffer = new ArrayList<>();
  private long oldestNanos; // arrival of buffer.get(0)
  private ScheduledFuture<?> deadline;
  private int running; // batches with the runner
  private boolean closed;

  MicroBatcher(
      int maxSize,
      int maxInFlight,
      Duration maxWait,
      ScheduledExecutorService timer,
      Function<List<T>, CompletionStage<?>> runner) {
    if (maxSize < 1) {
      throw new IllegalArgumentException("maxSize must be >= 1, got " + maxSize);
    }
    if (maxInFlight < 1) {
      throw new IllegalArgumentException("maxInFlight must be >= 1, got " + maxInFlight);
    }
    this.maxSize = maxSize;
    this.maxInFlight = maxInFlight;
    this.maxWaitNanos = maxWait.toNanos();
    this.timer = timer;
    this.runner = runner;
  }

  void add(T item) {
    List<T> batch;
    synchronized (this) {
      if (closed) {
        throw new IllegalStateException("batcher is closed");
      }
      if (buffer.isEmpty()) {
        oldestNanos = System.nanoTime();
      }
      buffer.add(item);
      batch = takeIfDue();
      if (batch == null && buffer.size() == 1 && running < maxInFlight) {
        scheduleDeadline(maxWaitNanos);
      }
    }
    run(batch);
  }

  /** Items waiting for a batch. */
  synchronized int pending() {
    return buffer.size();
  }

  /** The next batch, if the runner has room and the buffer is full or has waited long enough. */
  private List<T> takeIfDue() {
    if (running >= maxInFlight || closed || buffer.isEmpty()) {
      return null;
    }
    boolean full = buffer.size() >= maxSize;
    boolean waitedEnough = System.nanoTime() - oldestNanos >= maxWaitNanos;
    if (!full && !waitedEnough) {
      return null;
    }
    int n = Math.min(maxSize, buffer.size());
    List<T> batch = new ArrayList<>(buffer.subList(0, n));
    buffer.subList(0, n).clear();
    oldestNanos = System.nanoTime(); // the rest waited at least as long; they go next anyway
    running++;
    if (deadline != null) {
      deadline.cancel(false);
      deadline = null;
    }
    if (!buffer.isEmpty() && running < maxInFlight) {
      scheduleDeadline(maxWaitNanos); // the rest may fill the next free slot
    }
    return batch;
  }

  private void scheduleDeadline(long delayNanos) {
    if (deadline != null) {
      deadline.cancel(false);
    }
    deadline = timer.schedule(this::onDeadline, Math.max(0, delayNanos), TimeUnit.NANOSECONDS);
  }

  private void onDeadline() {
    List<T> batch;
    synchronized (this) {
      deadline = null;
      batch = takeIfDue();
    }
    run(batch);
  }

  private void run(List<T> batch) {
    if (batch == null) {
      return;
    }
    CompletionStage<?> done;
    try {
      done = runner.apply(batch);
    } catch (RuntimeException e) {
      finished();
      throw e;
    }
    done.whenComplete((result, error) -> finished());
  }

  /** A batch is done: items that queued meanwhile go at once, up to a full batch. */
  private void finished() {
    List<T> batch;
    synchronized (this) {
      running--;
      if (closed || buffer.isEmpty()) {
        return;
      }
      int n = Math.min(maxSize, buffer.size());
      batch = new ArrayList<>(buffer.subList(0, n));
      buffer.subList(0, n).clear();
      oldestNanos = System.nanoTime();
      running++;
      if (deadline != null && buffer.isEmpty()) {
        deadline.cancel(false);
        deadline = null;
      }
    }
    run(batch);
  }

  @Override
  public synchronized void close() {
    closed = true;
    if (deadline != null) {
      deadline.cancel(false);
    }
    buffer.clear();
  }
}
