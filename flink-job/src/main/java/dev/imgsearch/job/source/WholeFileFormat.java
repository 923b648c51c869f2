package dev.imgsearch.job.source;

import dev.imgsearch.core.image.RejectReason;
import dev.imgsearch.core.video.VideoSampling;
import java.io.FileNotFoundException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.AccessDeniedException;
import java.nio.file.NoSuchFileException;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.connector.file.src.FileSourceSplit;
import org.apache.flink.connector.file.src.reader.BulkFormat;
import org.apache.flink.core.fs.FSDataInputStream;
import org.apache.flink.core.fs.FileStatus;
import org.apache.flink.core.fs.FileSystem;
import org.apache.flink.core.fs.Path;

/**
 * Reads each file whole and emits it as one {@link ImageFile}. Not splittable: an image is only
 * meaningful as a whole. A file that cannot be read (deleted after it was listed, no permission,
 * larger than the limit) is emitted with its read error instead of failing the job.
 *
 * <p>Videos (by extension) are never read whole: {@link VideoFrameReader} streams their sampled
 * frames instead.
 */
public final class WholeFileFormat implements BulkFormat<ImageFile, FileSourceSplit> {
  private static final long serialVersionUID = 1L;

  private final long maxFileBytes;
  private final VideoSampling video;

  public WholeFileFormat(long maxFileBytes) {
    this(maxFileBytes, null);
  }

  /**
   * @param video which files are videos and how they are sampled; null reads every file whole
   */
  public WholeFileFormat(long maxFileBytes, VideoSampling video) {
    if (maxFileBytes <= 0 || maxFileBytes > Integer.MAX_VALUE - 8) {
      throw new IllegalArgumentException(
          "maxFileBytes must be between 1 and "
              + (Integer.MAX_VALUE - 8)
              + ", got "
              + maxFileBytes);
    }
    this.maxFileBytes = maxFileBytes;
    this.video = video;
  }

  @Override
  public Reader<ImageFile> createReader(Configuration config, FileSourceSplit split) {
    if (isVideo(split)) {
      return new VideoFrameReader(split, video, 0);
    }
    return wholeFileReader(split, false);
  }

  @Override
  public Reader<ImageFile> restoreReader(Configuration config, FileSourceSplit split) {
    if (isVideo(split)) {
      long emitted = split.getReaderPosition().map(p -> p.getRecordsAfterOffset()).orElse(0L);
      return new VideoFrameReader(split, video, emitted);
    }
    return wholeFileReader(split, SingleRecordReader.emitted(split));
  }

  private boolean isVideo(FileSourceSplit split) {
    return video != null && video.isVideo(split.path().getName());
  }

  @Override
  public boolean isSplittable() {
    return false;
  }

  @Override
  public TypeInformation<ImageFile> getProducedType() {
    return TypeInformation.of(ImageFile.class);
  }

  private SingleRecordReader wholeFileReader(FileSourceSplit split, boolean emitted) {
    return new SingleRecordReader(
        () -> read(split.path(), split.fileSize(), split.fileModificationTime(), maxFileBytes),
        emitted);
  }

  /**
   * Reads a whole file; every failure becomes an {@link ImageFile} carrying its reason. Size and
   * modification time are taken when reading; the listed ones only stand in when that fails.
   */
  public static ImageFile read(Path path, long listedSize, long listedMtimeMs, long maxFileBytes) {
    String name = LocalPaths.normalize(path);
    long mtimeMs = listedMtimeMs;
    try {
      FileSystem fs = path.getFileSystem();
      FileStatus status = fs.getFileStatus(path);
      long size = status.getLen();
      mtimeMs = status.getModificationTime();
      if (size > maxFileBytes) {
        return ImageFile.failed(
            name,
            size,
            mtimeMs,
            RejectReason.TOO_LARGE,
            "file has " + size + " bytes, limit is " + maxFileBytes);
      }
      byte[] bytes;
      try (FSDataInputStream in = fs.open(path)) {
        bytes = readAll(in, (int) size, maxFileBytes);
      }
      if (bytes == null) {
        return ImageFile.failed(
            name,
            size,
            mtimeMs,
            RejectReason.TOO_LARGE,
            "file grew beyond " + maxFileBytes + " bytes");
      }
      return ImageFile.read(name, bytes, bytes.length, mtimeMs);
    } catch (FileNotFoundException | NoSuchFileException e) {
      return ImageFile.failed(
          name, listedSize, mtimeMs, RejectReason.UNREADABLE, notFoundDetail(path, e));
    } catch (AccessDeniedException e) {
      return ImageFile.failed(
          name, listedSize, mtimeMs, RejectReason.UNREADABLE, "permission denied");
    } catch (IOException e) {
      String message = String.valueOf(e.getMessage());
      String detail =
          message.contains("Permission denied")
              ? "permission denied"
              : e.getClass().getSimpleName() + ": " + message;
      return ImageFile.failed(name, listedSize, mtimeMs, RejectReason.UNREADABLE, detail);
    }
  }

  /**
   * Why a listed file cannot be opened. FileInputStream reports a missing read permission as
   * FileNotFoundException too, with the reason only in its message.
   */
  private static String notFoundDetail(Path path, IOException e) {
    if (String.valueOf(e.getMessage()).contains("Permission denied")) {
      return "permission denied";
    }
    if (isLink(path)) {
      return "symbolic link that leads nowhere (its target is missing, or links form a loop)";
    }
    return "file disappeared before it was read";
  }

  private static boolean isLink(Path path) {
    String scheme = path.toUri().getScheme();
    return (scheme == null || scheme.equals("file"))
        && java.nio.file.Files.isSymbolicLink(java.nio.file.Paths.get(path.toUri().getPath()));
  }

  /** Reads to the end, even if the file grew since it was listed; null past the limit. */
  private static byte[] readAll(InputStream in, int expected, long limit) throws IOException {
    byte[] buf = new byte[Math.max(expected, 16)];
    int n = 0;
    while (true) {
      if (n == buf.length) {
        if (buf.length >= limit) {
          return in.read() < 0 ? buf : null;
        }
        buf = java.util.Arrays.copyOf(buf, (int) Math.min(limit, (long) buf.length * 2));
      }
      int r = in.read(buf, n, buf.length - n);
      if (r < 0) {
        return n == buf.length ? buf : java.util.Arrays.copyOf(buf, n);
      }
      n += r;
    }
  }
}
