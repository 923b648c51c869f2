package dev.imgsearch.job.sink;

import dev.imgsearch.core.store.MilvusImageStore;
import dev.imgsearch.job.metrics.JobMetrics;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import org.apache.flink.api.common.operators.MailboxExecutor;
import org.apache.flink.api.common.operators.ProcessingTimeService;
import org.apache.flink.api.connector.sink2.StatefulSinkWriter;
import org.apache.flink.api.connector.sink2.WriterInitContext;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.Histogram;
import org.apache.flink.metrics.groups.SinkWriterMetricGroup;
import org.apache.flink.runtime.metrics.DescriptiveStatisticsHistogram;
import org.apache.flink.util.FlinkRuntimeException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Buffers row changes and applies them to Milvus without blocking the task thread, in the manner of
 * Flink's {@code ElasticsearchWriter}: a full buffer (or its time limit, or a checkpoint) turns
 * into requests ({@link MilvusRequests}: runs of upserts as one upsert, runs of deletes as one
 * delete), which one sender thread sends in order. At most {@code maxInFlightRequests} are sent and
 * not yet answered; at the limit the writer yields to the task's mailbox until one is answered, so
 * that input stops (backpressure) while timers, checkpoints and cancellation keep working. Answers
 * re-enter through the mailbox; the first failure is rethrown from the next {@code write}, {@code
 * flush} or timer as a {@link FlinkRuntimeException} naming the collection, the URI and the reason
 * (as {@code KafkaWriter} does), which fails the job so that it restarts from its last checkpoint
 * and replays the changes. {@code flush} (before every checkpoint and at the end of input) sends
 * the buffer and waits, on the mailbox, until every request is answered: a completed checkpoint
 * means its rows are in Milvus.
 *
 * <p>The job keys this sink by path, so every change of one file arrives here in the order it left
 * its operator. Deletions skip embedding, though, so a row of a file's old version that was still
 * being embedded can arrive after the deletion that should have removed it: the {@link
 * RemovalGuard} (checkpointed with the writer) recognises such stragglers, and they are dropped.
 */
class MilvusWriter implements StatefulSinkWriter<RowChange, RemovalGuard.Entry> {
  private static final Logger LOG = LoggerFactory.getLogger(MilvusWriter.class);

  /**
   * A request still unanswered after this long is logged, and again at each further interval. The
   * SDK waits for an unreachable server until its RPC deadline (60 s by default) without a word, so
   * without these lines a Milvus outage shorter than that would leave no trace in the log.
   */
  static final long SLOW_REQUEST_WARN_MS = 5_000;

  private static final long SLOW_REQUEST_REPEAT_MS = 10_000;

  private final MilvusImageStore store;
  private final ProcessingTimeService timeService;
  private final MailboxExecutor mailbox;
  private final int maxBatchRows;
  private final long maxBufferMillis;
  private final int maxInFlightRequests;
  private final List<RowChange> buffer;
  private final RemovalGuard guard;
  private final ExecutorService sender;
  private final ScheduledExecutorService watchdog;
  private final Counter rowsUpserted;
  private final Counter filesDeleted;
  private final Counter staleRowsDropped;
  private final Counter duplicatesCollapsed;
  private final Counter sendErrors;
  private final Histogram requestMs;

  // Touched on the task thread only (answers arrive through the mailbox).
  private int inFlight;
  private long bufferGeneration;
  private FlinkRuntimeException asyncError;

  MilvusWriter(
      WriterInitContext context,
      MilvusImageStore store,
      int maxBatchRows,
      long maxBufferMillis,
      int maxInFlightRequests,
      long removalGuardMillis,
      Collection<RemovalGuard.Entry> restoredGuard) {
    this.store = store;
    this.timeService = context.getProcessingTimeService();
    this.mailbox = context.getMailboxExecutor();
    this.maxBatchRows = maxBatchRows;
    this.maxBufferMillis = maxBufferMillis;
    this.maxInFlightRequests = maxInFlightRequests;
    this.buffer = new ArrayList<>(maxBatchRows);
    this.guard = new RemovalGuard(removalGuardMillis);
    guard.restore(restoredGuard, timeService.getCurrentProcessingTime());
    // One thread: requests reach Milvus in the order the changes arrived.
    this.sender = Executors.newSingleThreadExecutor(daemon("milvus-sender"));
    this.watchdog = Executors.newSingleThreadScheduledExecutor(daemon("milvus-request-watchdog"));
    SinkWriterMetricGroup metrics = context.metricGroup();
    this.rowsUpserted = metrics.getNumRecordsSendCounter();
    this.sendErrors = metrics.getNumRecordsSendErrorsCounter();
    this.filesDeleted = metrics.counter(JobMetrics.FILES_DELETED);
    this.staleRowsDropped = metrics.counter(JobMetrics.STALE_ROWS_DROPPED);
    this.duplicatesCollapsed = metrics.counter(JobMetrics.DUPLICATE_ROWS_COLLAPSED);
    this.requestMs =
        metrics.histogram(JobMetrics.UPSERT_MS, new DescriptiveStatisticsHistogram(1000));
    metrics.gauge(JobMetrics.BUFFERED_ROWS, this::bufferedRows);
    metrics.gauge(JobMetrics.REQUESTS_IN_FLIGHT, this::requestsInFlight);
  }

  @Override
  public void write(RowChange change, Context context) throws InterruptedException {
    rethrowAsyncError();
    if (change.op == RowChange.Op.UPSERT) {
      if (guard.isStraggler(change.row)) {
        staleRowsDropped.inc();
        LOG.debug("Dropped a row of a removed version of {}", change.path);
        return;
      }
    } else {
      guard.removed(change, timeService.getCurrentProcessingTime());
    }
    buffer.add(change);
    if (buffer.size() == 1) {
      // The timer callback runs in the task's mailbox, so it never races with write or flush.
      long generation = bufferGeneration;
      timeService.registerTimer(
          timeService.getCurrentProcessingTime() + maxBufferMillis,
          time -> {
            if (generation == bufferGeneration && !buffer.isEmpty()) {
              sendBuffer();
            }
          });
    }
    if (buffer.size() >= maxBatchRows) {
      sendBuffer();
    }
  }

  /** Changes waiting for the next request (the {@code bufferedRows} gauge). */
  int bufferedRows() {
    return buffer.size();
  }

  /** Requests sent and not yet answered (the {@code requestsInFlight} gauge). */
  int requestsInFlight() {
    return inFlight;
  }

  /** The recent removals, so that a restore still recognises stragglers replayed after it. */
  @Override
  public List<RemovalGuard.Entry> snapshotState(long checkpointId) {
    return guard.snapshot();
  }

  /** Before every checkpoint and at the end of input: sends the buffer, waits for the answers. */
  @Override
  public void flush(boolean endOfInput) throws InterruptedException {
    if (!buffer.isEmpty()) {
      sendBuffer();
    }
    while (inFlight > 0) {
      mailbox.yield();
    }
    rethrowAsyncError();
  }

  private void sendBuffer() throws InterruptedException {
    MilvusRequests requests = MilvusRequests.of(buffer);
    buffer.clear();
    bufferGeneration++;
    duplicatesCollapsed.inc(requests.collapsedRows());
    for (MilvusRequests.Request request : requests.list()) {
      while (inFlight >= maxInFlightRequests) {
        mailbox.yield();
      }
      rethrowAsyncError();
      send(request);
    }
  }

  private void send(MilvusRequests.Request request) {
    inFlight++;
    long start = System.nanoTime();
    ScheduledFuture<?> stillWaiting =
        watchdog.scheduleAtFixedRate(
            () -> warnStillWaiting(request, start),
            SLOW_REQUEST_WARN_MS,
            SLOW_REQUEST_REPEAT_MS,
            TimeUnit.MILLISECONDS);
    CompletableFuture.runAsync(() -> apply(request), sender)
        .whenComplete(
            (ok, error) -> {
              stillWaiting.cancel(false);
              long ms = (System.nanoTime() - start) / 1_000_000;
              mailbox.execute(
                  () -> answered(request, ms, error), "answer of a Milvus " + request.kind());
            });
  }

  /** On the sender thread: one call of the store (which retries transient errors). */
  private void apply(MilvusRequests.Request request) {
    if (!request.upserts().isEmpty()) {
      store.upsert(request.upserts());
      return;
    }
    for (RowChange change : request.otherVersions()) {
      store.deleteOtherVersions(change.path, change.mtimeMs);
    }
    if (!request.deletedFiles().isEmpty()) {
      store.deleteByPaths(request.deletedFiles());
    }
  }

  /** On the task thread, through the mailbox. */
  private void answered(MilvusRequests.Request request, long ms, Throwable error) {
    inFlight--;
    if (error != null) {
      Throwable cause = error.getCause() != null ? error.getCause() : error;
      sendErrors.inc(request.size());
      if (asyncError == null) {
        // Retries are exhausted or the error is permanent: the job fails and restarts from its
        // last checkpoint, which replays these changes. Nothing is dropped.
        asyncError =
            new FlinkRuntimeException(
                request.describe()
                    + " into '"
                    + store.config().collection()
                    + "' at "
                    + store.config().uri()
                    + " failed: "
                    + cause.getMessage(),
                cause);
      }
      return;
    }
    requestMs.update(ms);
    rowsUpserted.inc(request.upserts().size());
    filesDeleted.inc(request.deletedFiles().size());
    if (ms >= SLOW_REQUEST_WARN_MS) {
      LOG.info(
          "{} into '{}' at {} went through after {} ms; Milvus is answering again, input resumes",
          request.describe(),
          store.config().collection(),
          store.config().uri(),
          ms);
    } else {
      LOG.debug("{} took {} ms", request.describe(), ms);
    }
  }

  private void rethrowAsyncError() {
    if (asyncError != null) {
      throw asyncError;
    }
  }

  private void warnStillWaiting(MilvusRequests.Request request, long startNanos) {
    LOG.warn(
        "{} into '{}' at {} still waiting after {} s: Milvus is unreachable or slow. The rows are"
            + " held and the input is paused (backpressure) until Milvus answers; the job fails"
            + " and restarts from its last checkpoint only if the call times out ({} s per"
            + " attempt) and the retries run out",
        request.describe(),
        store.config().collection(),
        store.config().uri(),
        (System.nanoTime() - startNanos) / 1_000_000_000,
        store.config().rpcTimeout().toSeconds());
  }

  /** Requests still running are abandoned (a restart replays them); the connection closes. */
  @Override
  public void close() throws InterruptedException {
    watchdog.shutdownNow();
    sender.shutdownNow();
    if (!sender.awaitTermination(5, TimeUnit.SECONDS)) {
      LOG.warn("A Milvus request was still running 5 s after close; closing the connection");
    }
    store.close();
  }

  private static java.util.concurrent.ThreadFactory daemon(String name) {
    return r -> {
      Thread t = new Thread(r, name);
      t.setDaemon(true);
      return t;
    };
  }
}
