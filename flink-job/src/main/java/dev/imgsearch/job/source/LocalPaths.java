package dev.imgsearch.job.source;

import java.nio.file.Paths;
import org.apache.flink.core.fs.Path;

/** Turns Flink paths into the normalised absolute path strings that ids are made from. */
public final class LocalPaths {

  private LocalPaths() {}

  /**
   * {@code file:/a/b/../c.jpg} becomes {@code /a/c.jpg}. Paths of other file systems keep their
   * scheme, so that ids stay unique across them.
   */
  public static String normalize(Path path) {
    String scheme = path.toUri().getScheme();
    if (scheme == null || scheme.equals("file")) {
      return Paths.get(path.toUri().getPath()).toAbsolutePath().normalize().toString();
    }
    return path.toUri().normalize().toString();
  }
}
