package dev.imgsearch.job.source;

import dev.imgsearch.job.config.IngestJobConfig;
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

  public static Source<ImageFile, ?, ?> folder(IngestJobConfig cfg) {
    Set<String> extensions = new TreeSet<>(cfg.extensions());
    extensions.addAll(cfg.video().extensions());
    WholeFileFormat format = new WholeFileFormat(cfg.maxFileBytes(), cfg.video());
    Path root = Path.fromLocalFile(cfg.source().toFile());
    if (cfg.mode() == IngestJobConfig.Mode.WATCH) {
      return new FolderWatchSource(
          root,
          format,
          () -> new ImageFileEnumerator(extensions),
          cfg.monitorInterval(),
          cfg.deleteDelay());
    }
    return FileSource.forBulkFileFormat(format, root)
        .setFileEnumerator(() -> new ImageFileEnumerator(extensions))
        .build();
  }
}
