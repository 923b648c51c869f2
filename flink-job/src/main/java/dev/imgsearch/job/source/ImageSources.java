package dev.imgsearch.job.source;

import dev.imgsearch.core.video.VideoSampling;
import dev.imgsearch.job.config.IngestJobConfig;
import dev.imgsearch.job.config.IngestOptions;
import java.util.Set;
import java.util.TreeSet;
import org.apache.flink.api.connector.source.Source;
import org.apache.flink.connector.file.src.FileSource;
import org.apache.flink.core.fs.Path;

/**
 * The folder source of the job: in watch mode the {@link FolderWatchSource}, which follows changes
 * and deletions; in once mode Flink's bounded {@code FileSource}, which lists the folder once
 * (there is nothing to follow, and {@code query-cli prune} removes rows of files deleted since).
 */
public final class ImageSources {

  private ImageSources() {}

  public static Source<ImageFile, ?, ?> folder(IngestJobConfig.Source source, VideoSampling video) {
    Set<String> extensions = new TreeSet<>(source.extensions());
    extensions.addAll(video.extensions());
    WholeFileFormat format = new WholeFileFormat(source.maxFileBytes(), video);
    Path root = Path.fromLocalFile(source.path().toFile());
    if (source.mode() == IngestOptions.Mode.WATCH) {
      return new FolderWatchSource(
          root,
          format,
          () -> new ImageFileEnumerator(extensions),
          source.monitorInterval(),
          source.deleteDelay());
    }
    return FileSource.forBulkFileFormat(format, root)
        .setFileEnumerator(() -> new ImageFileEnumerator(extensions))
        .build();
  }
}
