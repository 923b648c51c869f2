package dev.imgsearch.job.source;

import java.util.Objects;
import org.apache.flink.connector.file.src.FileSourceSplit;
import org.apache.flink.connector.file.src.util.CheckpointedPosition;
import org.apache.flink.core.fs.Path;

/**
 * A split of the {@link FolderWatchSource}: one whole file to read, or one lifecycle marker for a
 * file that changed or disappeared. A {@link FileSourceSplit} underneath, so that Flink's {@code
 * FileSourceReader} reads it and checkpoints its position like any file split.
 */
public final class WatchSplit extends FileSourceSplit {
  private static final long serialVersionUID = 1L;
  private static final String[] NO_HOSTS = new String[0];

  private final ImageFile.Lifecycle lifecycle;

  public WatchSplit(
      String id,
      ImageFile.Lifecycle lifecycle,
      Path path,
      long mtimeMs,
      long sizeBytes,
      CheckpointedPosition position) {
    super(id, path, 0, sizeBytes, mtimeMs, sizeBytes, NO_HOSTS, position);
    this.lifecycle = Objects.requireNonNull(lifecycle, "lifecycle");
  }

  public ImageFile.Lifecycle lifecycle() {
    return lifecycle;
  }

  @Override
  public WatchSplit updateWithCheckpointedPosition(CheckpointedPosition position) {
    return new WatchSplit(
        splitId(), lifecycle, path(), fileModificationTime(), fileSize(), position);
  }

  @Override
  public String toString() {
    return "WatchSplit{" + splitId() + " " + lifecycle + " " + path() + "}";
  }
}
