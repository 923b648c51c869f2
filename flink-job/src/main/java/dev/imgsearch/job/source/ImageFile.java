package dev.imgsearch.job.source;

import dev.imgsearch.core.image.RejectReason;
import dev.imgsearch.job.video.RawFrame;

/**
 * One file from the watched folder, read whole. When reading failed (deleted after listing, no
 * permission, too large), {@code bytes} is null and {@code readError} says why: the file is still
 * data for the dead-letter output, never an exception that would fail the job.
 *
 * <p>A mutable POJO with public fields so that Flink serialises it with its fast POJO serializer.
 */
public class ImageFile {
  /** Normalised absolute path, as the store's id scheme expects. */
  public String path;

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

  @Override
  public String toString() {
    return "ImageFile{" + path + ", " + sizeBytes + " bytes}";
  }
}
