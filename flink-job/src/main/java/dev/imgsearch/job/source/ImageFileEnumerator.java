package dev.imgsearch.job.source;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import org.apache.flink.connector.file.src.FileSourceSplit;
import org.apache.flink.connector.file.src.enumerate.NonSplittingRecursiveEnumerator;
import org.apache.flink.core.fs.FileStatus;
import org.apache.flink.core.fs.FileSystem;
import org.apache.flink.core.fs.Path;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Lists the watched folder recursively: whole files only, by extension, skipping names that start
 * with {@code .} or {@code _} (write to such a name, then rename, and the file is never seen half
 * written). Symbolic links to directories are not followed, so a link loop cannot trap it.
 */
final class ImageFileEnumerator extends NonSplittingRecursiveEnumerator {
  private static final Logger LOG = LoggerFactory.getLogger(ImageFileEnumerator.class);

  private final Set<String> extensions;

  ImageFileEnumerator(Set<String> extensions) {
    super(ImageFileEnumerator::isVisible);
    this.extensions = extensions;
  }

  static boolean isVisible(Path path) {
    String name = path.getName();
    return name.isEmpty() || !(name.startsWith(".") || name.startsWith("_"));
  }

  @Override
  protected void addSplitsForPath(
      FileStatus status, FileSystem fs, ArrayList<FileSourceSplit> target) throws IOException {
    if (status.isDir() && isSymlink(status.getPath())) {
      LOG.debug("Not following the directory link {}", status.getPath());
      return;
    }
    super.addSplitsForPath(status, fs, target);
  }

  @Override
  protected void convertToSourceSplits(FileStatus file, FileSystem fs, List<FileSourceSplit> target)
      throws IOException {
    if (hasExtension(file.getPath().getName())) {
      super.convertToSourceSplits(file, fs, target);
    }
  }

  boolean hasExtension(String name) {
    int dot = name.lastIndexOf('.');
    return dot > 0 && extensions.contains(name.substring(dot + 1).toLowerCase(Locale.ROOT));
  }

  private static boolean isSymlink(Path path) {
    String scheme = path.toUri().getScheme();
    if (scheme != null && !scheme.equals("file")) {
      return false;
    }
    return Files.isSymbolicLink(Paths.get(path.toUri().getPath()));
  }
}
