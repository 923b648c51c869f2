package dev.imgsearch.job.source;

import java.time.Duration;
import java.util.List;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.connector.source.Boundedness;
import org.apache.flink.api.connector.source.Source;
import org.apache.flink.api.connector.source.SourceReader;
import org.apache.flink.api.connector.source.SourceReaderContext;
import org.apache.flink.api.connector.source.SplitEnumerator;
import org.apache.flink.api.connector.source.SplitEnumeratorContext;
import org.apache.flink.api.java.typeutils.ResultTypeQueryable;
import org.apache.flink.connector.file.src.FileSourceSplit;
import org.apache.flink.connector.file.src.enumerate.FileEnumerator;
import org.apache.flink.connector.file.src.impl.FileSourceReader;
import org.apache.flink.connector.file.src.reader.BulkFormat;
import org.apache.flink.core.fs.Path;
import org.apache.flink.core.io.SimpleVersionedSerializer;

/**
 * The source of watch mode: follows a folder's whole file lifecycle. New files are read, changed
 * files (new mtime or size) are read again and the rows of their old version removed, and deleted
 * files have their rows removed once they have been gone for the delete delay.
 *
 * <p>Why not Flink's {@code FileSource}: its continuous enumerator remembers every path it has
 * processed, forever, and never reads a path twice, so it can neither see a change nor a deletion,
 * and its state grows with every file ever seen. Its enumerator checkpoint type is fixed ({@code
 * PendingSplitsCheckpoint}, a set of paths), so subclassing {@code AbstractFileSource} cannot give
 * the enumerator the (path → mtime, size) state it needs. This source therefore has its own
 * enumerator ({@link WatchEnumerator}) and checkpoint ({@link WatchState}, holding only files that
 * exist or await their delete delay), but reuses the reading side unchanged: Flink's {@code
 * FileSourceReader} with the job's {@link BulkFormat}, behind {@link LifecycleFormat}, which adds
 * the two marker records.
 *
 * <p>Renames are a delete of the old path plus an add of the new one: the new path is embedded
 * again. Moving the row without embedding would need the old file's content hash at the time the
 * new path appears, and the row id changes with the path anyway, so it would save only the
 * inference of the renamed files; not worth a second code path.
 */
public final class FolderWatchSource
    implements Source<ImageFile, WatchSplit, WatchState>, ResultTypeQueryable<ImageFile> {
  private static final long serialVersionUID = 1L;

  private final Path root;
  private final BulkFormat<ImageFile, FileSourceSplit> format;
  private final FileEnumerator.Provider lister;
  private final Duration scanInterval;
  private final Duration deleteDelay;

  public FolderWatchSource(
      Path root,
      BulkFormat<ImageFile, FileSourceSplit> format,
      FileEnumerator.Provider lister,
      Duration scanInterval,
      Duration deleteDelay) {
    if (scanInterval.isNegative() || scanInterval.isZero()) {
      throw new IllegalArgumentException("scan interval must be positive, got " + scanInterval);
    }
    if (deleteDelay.isNegative()) {
      throw new IllegalArgumentException("delete delay must not be negative, got " + deleteDelay);
    }
    this.root = root;
    this.format = format;
    this.lister = lister;
    this.scanInterval = scanInterval;
    this.deleteDelay = deleteDelay;
  }

  @Override
  public Boundedness getBoundedness() {
    return Boundedness.CONTINUOUS_UNBOUNDED;
  }

  @Override
  public SourceReader<ImageFile, WatchSplit> createReader(SourceReaderContext readerContext) {
    return new FileSourceReader<>(
        readerContext, new LifecycleFormat(format), readerContext.getConfiguration());
  }

  @Override
  public SplitEnumerator<WatchSplit, WatchState> createEnumerator(
      SplitEnumeratorContext<WatchSplit> context) {
    return new WatchEnumerator(
        context,
        root,
        lister.create(),
        scanInterval.toMillis(),
        new FolderWatch(deleteDelay.toMillis()),
        List.of(),
        0);
  }

  @Override
  public SplitEnumerator<WatchSplit, WatchState> restoreEnumerator(
      SplitEnumeratorContext<WatchSplit> context, WatchState checkpoint) {
    return new WatchEnumerator(
        context,
        root,
        lister.create(),
        scanInterval.toMillis(),
        new FolderWatch(
            deleteDelay.toMillis(),
            new java.util.HashMap<>(checkpoint.known()),
            new java.util.HashMap<>(checkpoint.missingSince())),
        checkpoint.pending(),
        checkpoint.nextSplitId());
  }

  @Override
  public SimpleVersionedSerializer<WatchSplit> getSplitSerializer() {
    return WatchSplitSerializer.INSTANCE;
  }

  @Override
  public SimpleVersionedSerializer<WatchState> getEnumeratorCheckpointSerializer() {
    return WatchStateSerializer.INSTANCE;
  }

  @Override
  public TypeInformation<ImageFile> getProducedType() {
    return format.getProducedType();
  }
}
