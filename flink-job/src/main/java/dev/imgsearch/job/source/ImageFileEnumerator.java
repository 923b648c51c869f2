package dev.imgsearch.job.source;

import java.io.FileNotFoundException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.stream.Stream;
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
    if (!status.isDir() || !isLocal(status.getPath()) || !fileFilter.test(status.getPath())) {
      super.addSplitsForPath(status, fs, target);
      return;
    }
    // Flink's own listing stats every entry and throws when one cannot be stat-ed: a dangling
    // link, a link loop, or a file deleted between the listing and the stat would fail the whole
    // job. List entry by entry instead; such an entry still becomes a split, so that its read
    // fails and it reaches the dead-letter output with its reason.
    Path dir = status.getPath();
    java.nio.file.Path local = Paths.get(dir.toUri().getPath());
    List<java.nio.file.Path> entries;
    try (Stream<java.nio.file.Path> list = Files.list(local)) {
      entries = list.sorted().toList();
    } catch (NoSuchFileException e) {
      LOG.info("Folder {} disappeared while it was being listed", dir);
      return;
    } catch (IOException e) {
      LOG.warn("Cannot list folder {}, skipping it: {}", dir, e.toString());
      return;
    }
    for (java.nio.file.Path entry : entries) {
      Path child = new Path(dir, entry.getFileName().toString());
      FileStatus childStatus;
      try {
        childStatus = fs.getFileStatus(child);
      } catch (FileNotFoundException e) {
        if (isVisible(child) && hasExtension(child.getName())) {
          LOG.warn("{} is listed but cannot be opened (a dangling link or a link loop?)", child);
          target.add(new FileSourceSplit(getNextId(), child, 0, 0, 0, 0));
        }
        continue;
      }
      addSplitsForPath(childStatus, fs, target);
    }
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
    return isLocal(path) && Files.isSymbolicLink(Paths.get(path.toUri().getPath()));
  }

  private static boolean isLocal(Path path) {
    String scheme = path.toUri().getScheme();
    return scheme == null || scheme.equals("file");
  }
}
