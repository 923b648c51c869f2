package dev.imgsearch.job.sink;

import dev.imgsearch.core.config.MilvusConfig;
import dev.imgsearch.core.store.CollectionSpec;
import dev.imgsearch.core.store.ImageRecord;
import dev.imgsearch.core.store.MilvusImageStore;
import dev.imgsearch.core.store.StoreOptions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import org.apache.flink.api.common.operators.ProcessingTimeService;
import org.apache.flink.api.connector.sink2.SinkWriter;
import org.apache.flink.api.connector.sink2.WriterInitContext;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.Histogram;
import org.apache.flink.metrics.groups.SinkWriterMetricGroup;
import org.apache.flink.runtime.metrics.DescriptiveStatisticsHistogram;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Buffers rows and upserts them through {@link MilvusImageStore}. Upserts run on the sink's task
 * thread and block it while Milvus retries: that is the backpressure that keeps rows from piling up
 * while Milvus is down. The embedding operator is not chained to this one, so inference goes on
 * while an upsert is in flight.
 */
class MilvusWriter implements SinkWriter<ImageRecord> {
  private static final Logger LOG = LoggerFactory.getLogger(MilvusWriter.class);

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
  private final List<ImageRecord> buffer;
  private final Counter rowsUpserted;
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
      Duration maxBufferTime) {
    this.store = MilvusImageStore.open(connection, collection, storeOptions);
    this.timeService = context.getProcessingTimeService();
    this.maxBatchRows = maxBatchRows;
    this.maxBufferMillis = maxBufferTime.toMillis();
    this.buffer = new ArrayList<>(maxBatchRows);
    SinkWriterMetricGroup metrics = context.metricGroup();
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
  public void write(ImageRecord row, Context context) {
    buffer.add(row);
    if (buffer.size() == 1) {
      // The timer callback runs in the task's mailbox, so it never races with write or flush.
      long generation = bufferGeneration;
      timeService.registerTimer(
          timeService.getCurrentProcessingTime() + maxBufferMillis,
          time -> {
            if (generation == bufferGeneration && !buffer.isEmpty()) {
              upsertBuffer();
            }
          });
    }
    if (buffer.size() >= maxBatchRows) {
      upsertBuffer();
    }
  }

  /** Called before every checkpoint and at the end of input: nothing stays buffered. */
  @Override
  public void flush(boolean endOfInput) {
    if (!buffer.isEmpty()) {
      upsertBuffer();
    }
  }

  private void upsertBuffer() {
    List<ImageRecord> rows = new ArrayList<>(buffer);
    buffer.clear();
    bufferGeneration++;
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
