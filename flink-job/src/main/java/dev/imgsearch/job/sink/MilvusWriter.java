package dev.imgsearch.job.sink;

import dev.imgsearch.core.config.MilvusConfig;
import dev.imgsearch.core.store.CollectionSpec;
import dev.imgsearch.core.store.ImageRecord;
import dev.imgsearch.core.store.MilvusImageStore;
import dev.imgsearch.core.store.StoreOptions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
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

  private final MilvusImageStore store;
  private final ProcessingTimeService timeService;
  private final int maxBatchRows;
  private final long maxBufferMillis;
  private final List<ImageRecord> buffer;
  private final Counter rowsUpserted;
  private final Counter sendErrors;
  private final Histogram upsertMs;
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
    }
    long ms = (System.nanoTime() - start) / 1_000_000;
    upsertMs.update(ms);
    rowsUpserted.inc(rows.size());
    LOG.debug("Upserted {} rows in {} ms", rows.size(), ms);
  }

  @Override
  public void close() {
    store.close();
  }
}
