package dev.imgsearch.job.source;

import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.DirectoryStream;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Paths;
import java.nio.file.attribute.BasicFileAttributes;
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
    if (status.isDir() && isLocal(status.getPath())) {
      // Flink's local listing names each child with Path(String), which turns a backslash into a
      // slash: one file named "a\b.jpg" then made the whole listing, and the job, fail. File
      // names are data, so local folders are listed here, each child named by its file: URI.
      for (FileStatus child : listLocal(status.getPath())) {
        if (isVisible(child.getPath())) {
          addSplitsForPath(child, fs, target);
        }
      }
      return;
    }
    super.addSplitsForPath(status, fs, target);
  }

  private static boolean isLocal(Path path) {
    String scheme = path.toUri().getScheme();
    return scheme == null || scheme.equals("file");
  }

  /** A local folder's entries; one that vanishes while it is listed is left out. */
  private static List<FileStatus> listLocal(Path dir) throws IOException {
    List<FileStatus> children = new ArrayList<>();
    DirectoryStream<java.nio.file.Path> stream;
    try {
      stream = Files.newDirectoryStream(Paths.get(dir.toUri().getPath()));
    } catch (AccessDeniedException | NoSuchFileException e) {
      // A folder without read permission, or one removed meanwhile, must not stop the others.
      LOG.warn("Skipping folder {}: {}", dir, e.getClass().getSimpleName());
      return children;
    }
    try (DirectoryStream<java.nio.file.Path> entries = stream) {
      for (java.nio.file.Path entry : entries) {
        BasicFileAttributes attributes;
        try {
          attributes = Files.readAttributes(entry, BasicFileAttributes.class);
        } catch (NoSuchFileException e) {
          if (!Files.isSymbolicLink(entry)) {
            continue; // deleted after it was listed
          }
          // A dangling link is listed as what it is; reading it gives the reader's reason.
          attributes =
              Files.readAttributes(entry, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
        } catch (FileSystemException e) {
          // A link loop, or no permission: listed, so that the reader rejects it with a reason.
          attributes =
              Files.readAttributes(entry, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
        }
        children.add(new LocalStatus(new Path(entry.toUri()), attributes));
      }
    }
    return children;
  }

  /** What Flink's LocalFileStatus holds, with a path made from the file's URI. */
  private record LocalStatus(Path path, BasicFileAttributes attributes) implements FileStatus {
    @Override
    public long getLen() {
      return attributes.isDirectory() ? 0 : attributes.size();
    }

    @Override
    public long getBlockSize() {
      return getLen();
    }

    @Override
    public short getReplication() {
      return 1;
    }

    @Override
    public long getModificationTime() {
      return attributes.lastModifiedTime().toMillis();
    }

    @Override
    public long getAccessTime() {
      return attributes.lastAccessTime().toMillis();
    }

    @Override
    public boolean isDir() {
      return attributes.isDirectory();
    }

    @Override
    public Path getPath() {
      return path;
    }
  }

  @Override
  protected void convertToSourceSplits(FileStatus file, FileSystem fs, List<FileSourceSplit> target)
      throws IOException {
    if (!hasExtension(file.getPath().getName())) {
      return;
    }
    if (file instanceof LocalStatus) {
      // Flink's local block lookup accepts only its own status class; a local file is one block
      // on this host, which is what it would answer.
      long len = file.getLen();
      target.add(
          new FileSourceSplit(
              getNextId(), file.getPath(), 0, len, file.getModificationTime(), len, "localhost"));
      return;
    }
    super.convertToSourceSplits(file, fs, target);
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
