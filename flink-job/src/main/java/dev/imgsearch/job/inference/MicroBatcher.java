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
 * Joins items into batches for a runner that handles one batch at a time. A batch is handed on when
 * the runner is free and either {@code maxSize} items wait or the oldest waiting item has waited
 * {@code maxWait}. While the runner is busy, items accumulate, so batches grow under load instead
 * of queueing up as many small ones: the batch size adapts to the inference speed. Each item is
 * handed on exactly once.
 *
 * <p>Modelled on Flink's {@code AsyncBatchWaitOperator}, but inside an async function, so that the
 * async operator keeps checkpointing in-flight records.
 */
final class MicroBatcher<T> implements AutoCloseable {
  private final int maxSize;
  private final long maxWaitNanos;
  private final ScheduledExecutorService timer;
  private final Function<List<T>, CompletionStage<?>> runner;

  private final List<T> buffer = new ArrayList<>();
  private long oldestNanos; // arrival of buffer.get(0)
  private ScheduledFuture<?> deadline;
  private boolean running; // a batch is with the runner
  private boolean closed;

  MicroBatcher(
      int maxSize,
      Duration maxWait,
      ScheduledExecutorService timer,
      Function<List<T>, CompletionStage<?>> runner) {
    if (maxSize < 1) {
      throw new IllegalArgumentException("maxSize must be >= 1, got " + maxSize);
    }
    this.maxSize = maxSize;
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
      if (batch == null && buffer.size() == 1 && !running) {
        scheduleDeadline(maxWaitNanos);
      }
    }
    run(batch);
  }

  /** Items waiting for a batch. */
  synchronized int pending() {
    return buffer.size();
  }

  /** The next batch, if the runner is free and the buffer is full or has waited long enough. */
  private List<T> takeIfDue() {
    if (running || closed || buffer.isEmpty()) {
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
    running = true;
    if (deadline != null) {
      deadline.cancel(false);
      deadline = null;
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

  /** The runner is free again: items that queued meanwhile go at once, up to a full batch. */
  private void finished() {
    List<T> batch;
    synchronized (this) {
      running = false;
      if (closed || buffer.isEmpty()) {
        return;
      }
      int n = Math.min(maxSize, buffer.size());
      batch = new ArrayList<>(buffer.subList(0, n));
      buffer.subList(0, n).clear();
      oldestNanos = System.nanoTime();
      running = true;
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
