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
  /** Normalised absolute path, as the store's id scheme expects. */
  public String path;

  public byte[] bytes;
  public long sizeBytes;
  public long mtimeMs;
  public RejectReason readError;
  public String readErrorDetail;

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
