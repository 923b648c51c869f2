package dev.imgsearch.job.sink;

import dev.imgsearch.core.config.MilvusConfig;
import dev.imgsearch.core.store.CollectionSpec;
import dev.imgsearch.core.store.FilterExpressions;
import dev.imgsearch.core.store.ImageRecord;
import dev.imgsearch.core.store.MilvusImageStore;
import dev.imgsearch.core.store.StoreOptions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import org.apache.flink.api.common.operators.ProcessingTimeService;
import org.apache.flink.api.connector.sink2.StatefulSinkWriter;
import org.apache.flink.api.connector.sink2.WriterInitContext;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.Histogram;
import org.apache.flink.metrics.groups.SinkWriterMetricGroup;
import org.apache.flink.runtime.metrics.DescriptiveStatisticsHistogram;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Buffers row changes and applies them through {@link MilvusImageStore}, in arrival order: runs of
 * upserts as batched upserts, runs of deletes as one delete by path. Writes run on the sink's task
 * thread and block it while Milvus retries: that is the backpressure that keeps rows from piling up
 * while Milvus is down. The embedding operator is not chained to this one, so inference goes on
 * while an upsert is in flight.
 *
 * <p>The job keys this sink by path, so every change of one file arrives here in the order it left
 * its operator. Deletions skip embedding, though, so a row of a file's old version that was still
 * being embedded can arrive after the deletion that should have removed it: the {@link
 * RemovalGuard} (checkpointed with the writer) recognises such stragglers, and they are dropped.
 */
class MilvusWriter implements StatefulSinkWriter<RowChange, RemovalGuard.Entry> {
  private static final Logger LOG = LoggerFactory.getLogger(MilvusWriter.class);
  static final String METRIC_FILES_DELETED = "filesDeleted";
  static final String METRIC_STALE_ROWS_DROPPED = "staleRowsDropped";

  /**
   * An upsert still waiting after this long is logged, and again at each further interval. The SDK
   * waits for an unreachable server until its RPC deadline (60 s by default) without a word, so
   * without these lines a Milvus outage shorter than that would leave no trace in the log.
   */
  static final long SLOW_UPSERT_WARN_MS = 5_000;

  private static final long SLOW_UPSERT_REPEAT_MS = 10_000;

  private final MilvusImageStore store;
  private final ProcessingTimeService timeService;
  private final int maxBatchRows;
  private final long maxBufferMillis;
  private final List<RowChange> buffer;
  private final RemovalGuard guard;
  private final Counter rowsUpserted;
  private final Counter filesDeleted;
  private final Counter staleRowsDropped;
  private final Counter sendErrors;
  private final Histogram upsertMs;
  private final ScheduledExecutorService watchdog;
  private long bufferGeneration;

  MilvusWriter(
      WriterInitContext context,
      MilvusConfig connection,
      CollectionSpec collection,
      StoreOptions storeOptions,
      int maxBatchRows,
      Duration maxBufferTime,
      Duration removalGuard,
      Collection<RemovalGuard.Entry> restoredGuard) {
    this.store = MilvusImageStore.open(connection, collection, storeOptions);
    this.timeService = context.getProcessingTimeService();
    this.maxBatchRows = maxBatchRows;
    this.maxBufferMillis = maxBufferTime.toMillis();
    this.buffer = new ArrayList<>(maxBatchRows);
    this.guard = new RemovalGuard(removalGuard.toMillis());
    guard.restore(restoredGuard, timeService.getCurrentProcessingTime());
    SinkWriterMetricGroup metrics = context.metricGroup();
    this.filesDeleted = metrics.counter(METRIC_FILES_DELETED);
    this.staleRowsDropped = metrics.counter(METRIC_STALE_ROWS_DROPPED);
    this.rowsUpserted = metrics.getNumRecordsSendCounter();
    this.sendErrors = metrics.getNumRecordsSendErrorsCounter();
    this.upsertMs = metrics.histogram("upsertMs", new DescriptiveStatisticsHistogram(1000));
    metrics.gauge("bufferedRows", buffer::size);
    // One daemon thread per writer, stopped in close(): it only logs.
    this.watchdog =
        Executors.newSingleThreadScheduledExecutor(
            r -> {
              Thread t = new Thread(r, "milvus-upsert-watchdog");
              t.setDaemon(true);
              return t;
            });
  }

  @Override
  public void write(RowChange change, Context context) {
    long now = timeService.getCurrentProcessingTime();
    if (change.op == RowChange.Op.UPSERT) {
      if (guard.isStraggler(change.row)) {
        staleRowsDropped.inc();
        LOG.debug("Dropped a row of a removed version of {}", change.path);
        return;
      }
    } else {
      guard.removed(change, now);
    }
    buffer.add(change);
    if (buffer.size() == 1) {
      // The timer callback runs in the task's mailbox, so it never races with write or flush.
      long generation = bufferGeneration;
      timeService.registerTimer(
          timeService.getCurrentProcessingTime() + maxBufferMillis,
          time -> {
            if (generation == bufferGeneration && !buffer.isEmpty()) {
              applyBuffer();
            }
          });
    }
    if (buffer.size() >= maxBatchRows) {
      applyBuffer();
    }
  }

  /** The recent removals, so that a restore still recognises stragglers replayed after it. */
  @Override
  public List<RemovalGuard.Entry> snapshotState(long checkpointId) {
    return guard.snapshot();
  }

  /** Called before every checkpoint and at the end of input: nothing stays buffered. */
  @Override
  public void flush(boolean endOfInput) {
    if (!buffer.isEmpty()) {
      applyBuffer();
    }
  }

  /** Applies the buffer in order: each run of upserts, then each run of deletes, as one call. */
  private void applyBuffer() {
    List<RowChange> changes = new ArrayList<>(buffer);
    buffer.clear();
    bufferGeneration++;
    int i = 0;
    while (i < changes.size()) {
      boolean upserts = changes.get(i).op == RowChange.Op.UPSERT;
      int end = i;
      while (end < changes.size() && (changes.get(end).op == RowChange.Op.UPSERT) == upserts) {
        end++;
      }
      List<RowChange> run = changes.subList(i, end);
      if (upserts) {
        upsert(run.stream().map(c -> c.row).toList());
      } else {
        delete(run);
      }
      i = end;
    }
  }

  private void delete(List<RowChange> run) {
    List<String> files = new ArrayList<>();
    try {
      for (RowChange change : run) {
        if (change.op == RowChange.Op.DELETE_FILE) {
          files.add(change.path);
        } else {
          store.deleteByFilter(FilterExpressions.otherVersionsOf(change.path, change.mtimeMs));
        }
      }
      if (!files.isEmpty()) {
        store.deleteByPaths(files);
      }
    } catch (RuntimeException e) {
      // As for upserts: fail, restart from the last checkpoint, and the deletes are replayed.
      throw new IllegalStateException(
          "deleting the rows of "
              + run.size()
              + " files (first: "
              + run.get(0).path
              + ") from '"
              + store.config().collection()
              + "' at "
              + store.config().uri()
              + " failed: "
              + e.getMessage(),
          e);
    }
    filesDeleted.inc(files.size());
    LOG.info(
        "Deleted the rows of {} removed files, pruned {} changed ones",
        files.size(),
        run.size() - files.size());
  }

  private void upsert(List<ImageRecord> rows) {
    long start = System.nanoTime();
    ScheduledFuture<?> stillWaiting =
        watchdog.scheduleAtFixedRate(
            () -> warnStillWaiting(rows.size(), start),
            SLOW_UPSERT_WARN_MS,
            SLOW_UPSERT_REPEAT_MS,
            TimeUnit.MILLISECONDS);
    try {
      store.upsert(rows);
    } catch (RuntimeException e) {
      sendErrors.inc(rows.size());
      // Retries are exhausted or the error is permanent: fail, so the job restarts from its last
      // checkpoint and replays these rows. Nothing is dropped.
      throw new IllegalStateException(
          "upsert of "
              + rows.size()
              + " rows into '"
              + store.config().collection()
              + "' at "
              + store.config().uri()
              + " failed: "
              + e.getMessage(),
          e);
    } finally {
      stillWaiting.cancel(false);
    }
    long ms = (System.nanoTime() - start) / 1_000_000;
    upsertMs.update(ms);
    rowsUpserted.inc(rows.size());
    if (ms >= SLOW_UPSERT_WARN_MS) {
      LOG.info(
          "Upsert of {} rows into '{}' at {} went through after {} ms; Milvus is answering again,"
              + " input resumes",
          rows.size(),
          store.config().collection(),
          store.config().uri(),
          ms);
    } else {
      LOG.debug("Upserted {} rows in {} ms", rows.size(), ms);
    }
  }

  private void warnStillWaiting(int rows, long startNanos) {
    LOG.warn(
        "Upsert of {} rows into '{}' at {} still waiting after {} s: Milvus is unreachable or"
            + " slow. The rows are held and the input is paused (backpressure) until Milvus"
            + " answers; the job fails and restarts from its last checkpoint only if the call"
            + " times out ({} s per attempt) and the retries run out",
        rows,
        store.config().collection(),
        store.config().uri(),
        (System.nanoTime() - startNanos) / 1_000_000_000,
        store.config().rpcTimeout().toSeconds());
  }

  @Override
  public void close() {
    watchdog.shutdownNow();
    store.close();
  }
}
