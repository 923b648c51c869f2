package dev.imgsearch.job.source;

import dev.imgsearch.core.store.ImageIds;
import java.nio.file.Paths;
import org.apache.flink.core.fs.Path;

/**
 * Turns Flink paths into the normalised path strings that ids are made from, by the store's own
 * rule ({@link ImageIds#normalize}) for local files.
 */
public final class LocalPaths {

  private LocalPaths() {}

  /**
   * {@code file:/a/b/../c.jpg} becomes {@code /a/c.jpg}. Paths of other file systems keep their
   * scheme, so that ids stay unique across them.
   */
  public static String normalize(Path path) {
    String scheme = path.toUri().getScheme();
    if (scheme == null || scheme.equals("file")) {
      return ImageIds.normalize(Paths.get(path.toUri().getPath()));
    }
    return path.toUri().normalize().toString();
  }

  /**
   * The Flink path of a string made by {@link #normalize}. A local path goes through a {@code
   * file:} URI: Flink's {@code Path(String)} turns every backslash into a slash, so a file named
   * {@code a\b.jpg} would be read as {@code a/b.jpg}.
   */
  public static Path toFlinkPath(String normalized) {
    if (normalized.startsWith("/")) {
      return new Path(Paths.get(normalized).toUri());
    }
    return new Path(java.net.URI.create(normalized));
  }
}
