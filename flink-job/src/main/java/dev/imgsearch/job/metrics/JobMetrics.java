package dev.imgsearch.job.metrics;

/**
 * The names of the job's metrics and accumulators, in one place: the operators register them,
 * tests, the job summary and dashboards read them. Metrics appear under each operator's metric
 * group (e.g. {@code <operator>.imagesEmbedded}); accumulators are the exact totals in a finished
 * job's result.
 */
public final class JobMetrics {

  // decode + preprocess (metrics and accumulators)

  /** Files read, each video once. */
  public static final String FILES_SEEN = "filesSeen";

  /** Group of the per-reason rejection counters ({@code rejected.TRUNCATED}, ...). */
  public static final String REJECTED = "rejected";

  /** Accumulator name prefix of the per-reason rejection totals. */
  public static final String REJECTED_PREFIX = REJECTED + ".";

  // embedding

  public static final String IMAGES_EMBEDDED = "imagesEmbedded";
  public static final String INFERENCE_BATCHES = "inferenceBatches";
  public static final String INFERENCE_TIMEOUTS = "inferenceTimeouts";
  public static final String INFERENCE_SESSIONS = "inferenceSessions";
  public static final String BATCH_SIZE = "batchSize";
  public static final String INFERENCE_MS_PER_BATCH = "inferenceMsPerBatch";
  public static final String BATCHER_QUEUE_DEPTH = "batcherQueueDepth";

  // rows on their way to the sink (accumulators)

  /** Rows that reached the sink: a finished job has upserted them all. */
  public static final String EMBEDDED = "embedded";

  public static final String FIRST_ROW_MS = "firstRowMs";
  public static final String LAST_ROW_MS = "lastRowMs";

  // Milvus sink (besides the standard numRecordsSend / numRecordsSendErrors)

  public static final String FILES_DELETED = "filesDeleted";
  public static final String STALE_ROWS_DROPPED = "staleRowsDropped";
  public static final String DUPLICATE_ROWS_COLLAPSED = "duplicateRowsCollapsed";
  public static final String UPSERT_MS = "upsertMs";
  public static final String BUFFERED_ROWS = "bufferedRows";
  public static final String REQUESTS_IN_FLIGHT = "requestsInFlight";
  public static final String UPSERT_RETRIES = "numUpsertRetries";

  private JobMetrics() {}
}
