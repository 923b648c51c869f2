package dev.imgsearch.job.source;

import dev.imgsearch.core.image.RejectReason;

/**
 * One file from the watched folder, read whole. When reading failed (deleted after listing, no
 * permission, too large), {@code bytes} is null and {@code readError} says why: the file is still
 * data for the dead-letter output, never an exception that would fail the job.
 *
 * <p>A mutable POJO with public fields so that Flink serialises it with its fast POJO serializer.
 */
public class ImageFile {
  /**
   * What a record of the watch source says about its file. Only {@link #CONTENT} carries bytes; the
   * other two are markers that remove rows from the collection (see {@link FolderWatchSource}).
   */
  public enum Lifecycle {
    /** The file's content, to be embedded and upserted. */
    CONTENT,
    /**
     * The file changed: rows written from another version ({@code mtime_ms != mtimeMs}) are to go,
     * such as the frames that a shortened video no longer has. The new content follows.
     */
    REPLACED,
    /** The file is gone: every row of its path is to go. */
    DELETED
  }

  /** Normalised absolute path, as the store's id scheme expects. */
  public String path;

  public Lifecycle lifecycle = Lifecycle.CONTENT;

  public byte[] bytes;
  public long sizeBytes;
  public long mtimeMs;
  public RejectReason readError;
  public String readErrorDetail;

  /**
   * A record of a video rather than a photo: {@link #frame} holds a sampled frame, or {@link
   * #readError} says why the video stopped. Videos are never read whole (see VideoFrameReader).
   */
  public boolean video;

  /** The sampled frame of a video, decoded by the reader; null for photos. */
  public RawFrame frame;

  /** This record's index among its video's records, from 0; the first one counts the file. */
  public long videoRecord;

  public ImageFile() {}

  public static ImageFile read(String path, byte[] bytes, long sizeBytes, long mtimeMs) {
    ImageFile f = new ImageFile();
    f.path = path;
    f.bytes = bytes;
    f.sizeBytes = sizeBytes;
    f.mtimeMs = mtimeMs;
    return f;
  }

  public static ImageFile failed(
      String path, long sizeBytes, long mtimeMs, RejectReason reason, String detail) {
    ImageFile f = read(path, null, sizeBytes, mtimeMs);
    f.readError = reason;
    f.readErrorDetail = detail;
    return f;
  }

  /** A copy that names the same file and version, without its bytes: to read it again later. */
  public ImageFile withoutContent() {
    return read(path, null, sizeBytes, mtimeMs);
  }

  /** A marker of the watch source: no bytes, only the path and the version it refers to. */
  public static ImageFile marker(Lifecycle lifecycle, String path, long sizeBytes, long mtimeMs) {
    if (lifecycle == Lifecycle.CONTENT) {
      throw new IllegalArgumentException("a marker is REPLACED or DELETED, not CONTENT");
    }
    ImageFile f = read(path, null, sizeBytes, mtimeMs);
    f.lifecycle = lifecycle;
    return f;
  }

  @Override
  public String toString() {
    if (lifecycle != Lifecycle.CONTENT) {
      return "ImageFile{" + lifecycle + " " + path + ", mtime " + mtimeMs + "}";
    }
    return "ImageFile{" + path + ", " + sizeBytes + " bytes}";
  }
}
