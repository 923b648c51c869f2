package dev.imgsearch.job.source;

import java.io.IOException;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.connector.file.src.FileSourceSplit;
import org.apache.flink.connector.file.src.reader.BulkFormat;

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
        : markerReader(split, false);
  }

  @Override
  public Reader<ImageFile> restoreReader(Configuration config, WatchSplit split)
      throws IOException {
    if (split.lifecycle() == ImageFile.Lifecycle.CONTENT) {
      return content.restoreReader(config, split);
    }
    return markerReader(split, SingleRecordReader.emitted(split));
  }

  @Override
  public boolean isSplittable() {
    return false;
  }

  @Override
  public TypeInformation<ImageFile> getProducedType() {
    return content.getProducedType();
  }

  private static SingleRecordReader markerReader(WatchSplit split, boolean emitted) {
    return new SingleRecordReader(
        () ->
            ImageFile.marker(
                split.lifecycle(),
                LocalPaths.normalize(split.path()),
                split.fileSize(),
                split.fileModificationTime()),
        emitted);
  }
}
