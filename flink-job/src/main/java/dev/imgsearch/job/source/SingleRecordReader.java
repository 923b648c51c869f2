package dev.imgsearch.job.source;

import java.util.function.Supplier;
import org.apache.flink.connector.file.src.reader.BulkFormat;
import org.apache.flink.connector.file.src.util.CheckpointedPosition;
import org.apache.flink.connector.file.src.util.SingletonResultIterator;

/**
 * A split's reader that emits one record, made on demand: a whole file or a lifecycle marker. Its
 * position after the record is "one record skipped", so a split restored with that position is done
 * and emits nothing again.
 */
final class SingleRecordReader implements BulkFormat.Reader<ImageFile> {

  private final Supplier<ImageFile> record;
  private boolean done;

  /**
   * @param done whether the record was emitted before the checkpoint this reader is restored from
   */
  SingleRecordReader(Supplier<ImageFile> record, boolean done) {
    this.record = record;
    this.done = done;
  }

  /** Whether a restored split's position says its one record was emitted already. */
  static boolean emitted(org.apache.flink.connector.file.src.FileSourceSplit split) {
    return split.getReaderPosition().map(p -> p.getRecordsAfterOffset() > 0).orElse(false);
  }

  @Override
  public BulkFormat.RecordIterator<ImageFile> readBatch() {
    if (done) {
      return null;
    }
    done = true;
    SingletonResultIterator<ImageFile> it = new SingletonResultIterator<>();
    it.set(record.get(), CheckpointedPosition.NO_OFFSET, 1);
    return it;
  }

  @Override
  public void close() {}
}
