package dev.imgsearch.core.store;

import java.util.Objects;

/**
 * Tuning of {@link MilvusImageStore}.
 *
 * @param maxBatchRows most rows in one upsert call
 * @param maxBatchBytes most estimated bytes in one upsert call; keep well below Milvus's 64 MB
 *     message limit
 * @param retry backoff for transient errors
 * @param searchConsistency consistency of searches: BOUNDED (default) may miss writes of the last
 *     seconds but is cheaper; STRONG sees every acknowledged write. Counts and gets are always
 *     STRONG.
 */
public record StoreOptions(
    int maxBatchRows, long maxBatchBytes, RetryPolicy retry, ReadConsistency searchConsistency)
    implements java.io.Serializable {

  // Milvus Lite 2.5.1 spent 30x the CPU per row on a request of 8 MB as on one of 2 MB (measured):
  // calls stay at the sink's 256 rows and under 4 MiB; Milvus standalone is as fast either way.
  public static final int DEFAULT_MAX_BATCH_ROWS = 256;
  public static final long DEFAULT_MAX_BATCH_BYTES = 4L * 1024 * 1024;
  // Milvus rejects messages over 64 MB; stay clear of it with margin for framing.
  static final long MAX_BATCH_BYTES_LIMIT = 48L * 1024 * 1024;

  /** The consistency levels that make sense for this store. */
  public enum ReadConsistency {
    STRONG,
    BOUNDED
  }

  public StoreOptions {
    if (maxBatchRows < 1) {
      throw new IllegalArgumentException("maxBatchRows is " + maxBatchRows + "; use 1 or more");
    }
    if (maxBatchBytes < 1 || maxBatchBytes > MAX_BATCH_BYTES_LIMIT) {
      throw new IllegalArgumentException(
          "maxBatchBytes is "
              + maxBatchBytes
              + "; use 1 to "
              + MAX_BATCH_BYTES_LIMIT
              + " (Milvus rejects gRPC messages over 64 MB)");
    }
    Objects.requireNonNull(retry, "retry must not be null");
    Objects.requireNonNull(searchConsistency, "searchConsistency must not be null");
  }

  public static StoreOptions defaults() {
    return new StoreOptions(
        DEFAULT_MAX_BATCH_ROWS,
        DEFAULT_MAX_BATCH_BYTES,
        RetryPolicy.defaults(),
        ReadConsistency.BOUNDED);
  }

  public StoreOptions withBatchLimits(int rows, long bytes) {
    return new StoreOptions(rows, bytes, retry, searchConsistency);
  }

  public StoreOptions withRetry(RetryPolicy newRetry) {
    return new StoreOptions(maxBatchRows, maxBatchBytes, newRetry, searchConsistency);
  }

  public StoreOptions withSearchConsistency(ReadConsistency consistency) {
    return new StoreOptions(maxBatchRows, maxBatchBytes, retry, consistency);
  }
}
