package dev.imgsearch.job.source;

import java.io.IOException;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.connector.file.src.FileSourceSplit;
import org.apache.flink.connector.file.src.reader.BulkFormat;
import org.apache.flink.connector.file.src.util.CheckpointedPosition;
import org.apache.flink.connector.file.src.util.SingletonResultIterator;

/**
 * Reads {@link WatchSplit}s: content splits through the file format of the job ({@link
 * WholeFileFormat}, unchanged, so the watch and once modes read files alike), markers as one record
 * that names the path and the version it refers to, without touching the file (a deleted file has
 * nothing left to read).
 */
final class LifecycleFormat implements BulkFormat<ImageFile, WatchSplit> {
  private static final long serialVersionUID = 1L;

  private final BulkFormat<ImageFile, FileSourceSplit> content;

  LifecycleFormat(BulkFormat<ImageFile, FileSourceSplit> content) {
    this.content = content;
  }

  @Override
  public Reader<ImageFile> createReader(Configuration config, WatchSplit split) throws IOException {
    return split.lifecycle() == ImageFile.Lifecycle.CONTENT
        ? content.createReader(config, split)
        : new MarkerReader(split, false);
  }

  @Override
  public Reader<ImageFile> restoreReader(Configuration config, WatchSplit split)
      throws IOException {
    if (split.lifecycle() == ImageFile.Lifecycle.CONTENT) {
      return content.restoreReader(config, split);
    }
    // The only record's position is "one record skipped": a restored marker that has it is done.
    boolean emitted =
        split.getReaderPosition().map(p -> p.getRecordsAfterOffset() > 0).orElse(false);
    return new MarkerReader(split, emitted);
  }

  @Override
  public boolean isSplittable() {
    return false;
  }

  @Override
  public TypeInformation<ImageFile> getProducedType() {
    return content.getProducedType();
  }

  private static final class MarkerReader implements Reader<ImageFile> {
    private final WatchSplit split;
    private boolean done;

    MarkerReader(WatchSplit split, boolean done) {
      this.split = split;
      this.done = done;
    }

    @Override
    public RecordIterator<ImageFile> readBatch() {
      if (done) {
        return null;
      }
      done = true;
      SingletonResultIterator<ImageFile> it = new SingletonResultIterator<>();
      it.set(
          ImageFile.marker(
              split.lifecycle(),
              LocalPaths.normalize(split.path()),
              split.fileSize(),
              split.fileModificationTime()),
          CheckpointedPosition.NO_OFFSET,
          1);
      return it;
    }

    @Override
    public void close() {}
  }
}
