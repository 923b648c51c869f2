package dev.imgsearch.job.sink;

import dev.imgsearch.core.config.MilvusConfig;
import dev.imgsearch.core.store.CollectionSpec;
import dev.imgsearch.core.store.MilvusImageStore;
import dev.imgsearch.core.store.StoreOptions;
import java.time.Duration;
import java.util.Collection;
import java.util.List;
import org.apache.flink.api.connector.sink2.Sink;
import org.apache.flink.api.connector.sink2.StatefulSinkWriter;
import org.apache.flink.api.connector.sink2.SupportsWriterState;
import org.apache.flink.api.connector.sink2.WriterInitContext;
import org.apache.flink.core.io.SimpleVersionedSerializer;
import org.apache.flink.util.Preconditions;

/**
 * Applies {@link RowChange}s to a Milvus collection: upserts image rows, and deletes the rows of
 * removed or changed files. Rows are buffered and written in batches by count, after a time limit,
 * and on every checkpoint, asynchronously with a bounded number of requests in flight ({@link
 * MilvusWriter}): a completed checkpoint means its rows are in Milvus. Delivery is at-least-once;
 * because ids are deterministic and writes are upserts, the effect is exactly-once.
 *
 * <p>Holds configuration only; the client exists inside the {@link MilvusWriter}. Build it with
 * {@link #builder()}.
 */
public class MilvusSink
    implements Sink<RowChange>, SupportsWriterState<RowChange, RemovalGuard.Entry> {
  private static final long serialVersionUID = 1L;

  private final MilvusConfig connection;
  private final CollectionSpec collection;
  private final StoreOptions storeOptions;
  private final int maxBatchRows;
  private final Duration maxBufferTime;
  private final int maxInFlightRequests;
  private final Duration removalGuard;

  MilvusSink(
      MilvusConfig connection,
      CollectionSpec collection,
      StoreOptions storeOptions,
      int maxBatchRows,
      Duration maxBufferTime,
      int maxInFlightRequests,
      Duration removalGuard) {
    this.connection = Preconditions.checkNotNull(connection);
    this.collection = Preconditions.checkNotNull(collection);
    this.storeOptions = Preconditions.checkNotNull(storeOptions);
    this.maxBatchRows = maxBatchRows;
    this.maxBufferTime = Preconditions.checkNotNull(maxBufferTime);
    this.maxInFlightRequests = maxInFlightRequests;
    this.removalGuard = Preconditions.checkNotNull(removalGuard);
  }

  public static MilvusSinkBuilder builder() {
    return new MilvusSinkBuilder();
  }

  @Override
  public StatefulSinkWriter<RowChange, RemovalGuard.Entry> createWriter(WriterInitContext context) {
    return restoreWriter(context, List.of());
  }

  @Override
  public StatefulSinkWriter<RowChange, RemovalGuard.Entry> restoreWriter(
      WriterInitContext context, Collection<RemovalGuard.Entry> recoveredState) {
    // The collection was prepared when the job was planned: every writer only connects.
    return new MilvusWriter(
        context,
        MilvusImageStore.attach(connection, collection, storeOptions),
        maxBatchRows,
        maxBufferTime.toMillis(),
        maxInFlightRequests,
        removalGuard.toMillis(),
        recoveredState);
  }

  @Override
  public SimpleVersionedSerializer<RemovalGuard.Entry> getWriterStateSerializer() {
    return RemovalGuard.EntrySerializer.INSTANCE;
  }
}
