package dev.imgsearch.job.sink;

import static org.apache.flink.util.Preconditions.checkArgument;
import static org.apache.flink.util.Preconditions.checkNotNull;
import static org.apache.flink.util.Preconditions.checkState;

import dev.imgsearch.core.config.MilvusConfig;
import dev.imgsearch.core.store.CollectionSpec;
import dev.imgsearch.core.store.StoreOptions;
import java.time.Duration;

/** Builds a {@link MilvusSink}; each setter validates its value and documents its default. */
public class MilvusSinkBuilder {
  private MilvusConfig connection;
  private CollectionSpec collection;
  private StoreOptions storeOptions = StoreOptions.defaults();
  private int maxBatchRows = 256;
  private Duration maxBufferTime = Duration.ofSeconds(2);
  private Duration removalGuard = Duration.ofMinutes(10);
  private int maxInFlightRequests = 2;

  MilvusSinkBuilder() {}

  /** Where Milvus is and which collection to write. Required. */
  public MilvusSinkBuilder setConnection(MilvusConfig connection) {
    this.connection = checkNotNull(connection, "connection must not be null");
    return this;
  }

  /** Schema of the collection: dimension, metric, index. Required. */
  public MilvusSinkBuilder setCollection(CollectionSpec collection) {
    this.collection = checkNotNull(collection, "collection must not be null");
    return this;
  }

  /** Request batching by bytes and the retry policy for transient errors. */
  public MilvusSinkBuilder setStoreOptions(StoreOptions storeOptions) {
    this.storeOptions = checkNotNull(storeOptions, "storeOptions must not be null");
    return this;
  }

  /** Rows buffered before an upsert is sent. Default 256; at most 4096 (Milvus caps a request). */
  public MilvusSinkBuilder setMaxBatchRows(int maxBatchRows) {
    checkArgument(
        maxBatchRows >= 1 && maxBatchRows <= 4096,
        "maxBatchRows must be between 1 and 4096, got %s",
        maxBatchRows);
    this.maxBatchRows = maxBatchRows;
    return this;
  }

  /** Longest time a row waits in the buffer. Default 2 s. */
  public MilvusSinkBuilder setMaxBufferTime(Duration maxBufferTime) {
    checkArgument(
        maxBufferTime != null && !maxBufferTime.isNegative() && !maxBufferTime.isZero(),
        "maxBufferTime must be positive, got %s",
        maxBufferTime);
    this.maxBufferTime = maxBufferTime;
    return this;
  }

  /**
   * Requests (upserts, deletes) sent to Milvus and not yet answered, per writer. At the limit the
   * writer takes no more input until one is answered: that is the sink's backpressure. Default 2.
   */
  public MilvusSinkBuilder setMaxInFlightRequests(int maxInFlightRequests) {
    checkArgument(
        maxInFlightRequests >= 1 && maxInFlightRequests <= 64,
        "maxInFlightRequests must be between 1 and 64, got %s",
        maxInFlightRequests);
    this.maxInFlightRequests = maxInFlightRequests;
    return this;
  }

  /**
   * How long a deletion is remembered to drop rows of the removed version that arrive after it
   * (they were still being embedded). Default 10 min; must exceed the time a row can spend between
   * the source and the sink.
   */
  public MilvusSinkBuilder setRemovalGuard(Duration removalGuard) {
    checkArgument(
        removalGuard != null && !removalGuard.isNegative(),
        "removalGuard must not be negative, got %s",
        removalGuard);
    this.removalGuard = removalGuard;
    return this;
  }

  public MilvusSink build() {
    checkState(connection != null, "setConnection(...) is required");
    checkState(collection != null, "setCollection(...) is required");
    return new MilvusSink(
        connection,
        collection,
        storeOptions,
        maxBatchRows,
        maxBufferTime,
        maxInFlightRequests,
        removalGuard);
  }
}
