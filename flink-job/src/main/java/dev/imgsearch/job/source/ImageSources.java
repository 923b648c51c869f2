package dev.imgsearch.job.source;

import dev.imgsearch.job.config.IngestJobConfig;
import java.util.Set;
import java.util.TreeSet;
import org.apache.flink.connector.file.src.FileSource;
import org.apache.flink.core.fs.Path;

/** The folder source of the job: continuous in watch mode, bounded in once mode. */
public final class ImageSources {

  private ImageSources() {}

  public static FileSource<ImageFile> folder(IngestJobConfig cfg) {
    Set<String> extensions = new TreeSet<>(cfg.extensions());
    extensions.addAll(cfg.video().extensions());
    FileSource.FileSourceBuilder<ImageFile> builder =
        FileSource.forBulkFileFormat(
                new WholeFileFormat(cfg.maxFileBytes(), cfg.video()),
                Path.fromLocalFile(cfg.source().toFile()))
            .setFileEnumerator(() -> new ImageFileEnumerator(extensions));
    if (cfg.mode() == IngestJobConfig.Mode.WATCH) {
      builder.monitorContinuously(cfg.monitorInterval());
    }
    return builder.build();
  }
}
