package dev.imgsearch.job.sink;

import dev.imgsearch.core.config.MilvusConfig;
import dev.imgsearch.core.store.CollectionSpec;
import dev.imgsearch.core.store.FilterExpressions;
import dev.imgsearch.core.store.ImageRecord;
import dev.imgsearch.core.store.MilvusImageStore;
import dev.imgsearch.core.store.StoreOptions;
import java.nio.file.Files;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
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
 * Buffers row changes and applies them through {@link MilvusImageStore}, in arrival order: runs of
 * upserts as batched upserts, runs of deletes as one delete by path. Writes run on the sink's task
 * thread and block it while Milvus retries: that is the backpressure that keeps rows from piling up
 * while Milvus is down. The embedding operator is not chained to this one, so inference goes on
 * while an upsert is in flight.
 *
 * <p>The job keys this sink by path, so every change of one file arrives here in the order it left
 * its operator. Deletions skip embedding, though, so a row of a file's old version that was still
 * being embedded can arrive after the deletion that should have removed it. The writer therefore
 * remembers each deletion for a while ({@code removalGuard}, well above the time a row spends in
 * the pipeline) and drops such stragglers: after a file's deletion, a row is written only if its
 * file exists again; after a change, only rows of that version or a newer one.
 */
class MilvusWriter implements SinkWriter<RowChange> {
  private static final Logger LOG = LoggerFactory.getLogger(MilvusWriter.class);
  static final String METRIC_FILES_DELETED = "filesDeleted";
  static final String METRIC_STALE_ROWS_DROPPED = "staleRowsDropped";

  /** A deletion as the guard remembers it: when, and which version was kept (-1: none). */
  private record Removal(long atMillis, long keptMtimeMs) {}

  private final MilvusImageStore store;
  private final ProcessingTimeService timeService;
  private final int maxBatchRows;
  private final long maxBufferMillis;
  private final List<RowChange> buffer;
  private final long removalGuardMillis;
  private final Map<String, Removal> recentRemovals = new LinkedHashMap<>();
  private final Counter rowsUpserted;
  private final Counter filesDeleted;
  private final Counter staleRowsDropped;
  private final Counter sendErrors;
  private final Histogram upsertMs;
  private long bufferGeneration;

  MilvusWriter(
      WriterInitContext context,
      MilvusConfig connection,
      CollectionSpec collection,
      StoreOptions storeOptions,
      int maxBatchRows,
      Duration maxBufferTime,
      Duration removalGuard) {
    this.store = MilvusImageStore.open(connection, collection, storeOptions);
    this.timeService = context.getProcessingTimeService();
    this.maxBatchRows = maxBatchRows;
    this.maxBufferMillis = maxBufferTime.toMillis();
    this.buffer = new ArrayList<>(maxBatchRows);
    this.removalGuardMillis = removalGuard.toMillis();
    SinkWriterMetricGroup metrics = context.metricGroup();
    this.filesDeleted = metrics.counter(METRIC_FILES_DELETED);
    this.staleRowsDropped = metrics.counter(METRIC_STALE_ROWS_DROPPED);
    this.rowsUpserted = metrics.getNumRecordsSendCounter();
    this.sendErrors = metrics.getNumRecordsSendErrorsCounter();
    this.upsertMs = metrics.histogram("upsertMs", new DescriptiveStatisticsHistogram(1000));
    metrics.gauge("bufferedRows", buffer::size);
  }

  @Override
  public void write(RowChange change, Context context) {
    long now = timeService.getCurrentProcessingTime();
    if (change.op == RowChange.Op.UPSERT) {
      if (isStraggler(change.row)) {
        staleRowsDropped.inc();
        LOG.debug("Dropped a row of a removed version of {}", change.path);
        return;
      }
    } else {
      recentRemovals.remove(change.path); // re-inserted last: the map stays ordered by time
      recentRemovals.put(
          change.path,
          new Removal(now, change.op == RowChange.Op.DELETE_FILE ? -1 : change.mtimeMs));
      expireRemovals(now);
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

  /**
   * A row of a version that a deletion already in this writer removed: writing it would revive it.
   */
  private boolean isStraggler(ImageRecord row) {
    Removal removal = recentRemovals.get(row.filepath());
    if (removal == null) {
      return false;
    }
    if (removal.keptMtimeMs() >= 0) {
      return row.mtimeMs() < removal.keptMtimeMs();
    }
    // Deleted: a row counts again once the file is back (a re-add), which the disk tells.
    return !fileExists(row.filepath());
  }

  private static boolean fileExists(String normalizedPath) {
    if (!normalizedPath.startsWith("/")) {
      return true; // not a local path: no way to check here, so write it
    }
    return Files.exists(java.nio.file.Path.of(normalizedPath));
  }

  private void expireRemovals(long now) {
    for (Iterator<Removal> it = recentRemovals.values().iterator(); it.hasNext(); ) {
      if (now - it.next().atMillis() <= removalGuardMillis) {
        break;
      }
      it.remove();
    }
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
