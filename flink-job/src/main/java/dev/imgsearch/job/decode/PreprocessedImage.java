package dev.imgsearch.job.decode;

/**
 * A decoded image, resized and centre-cropped for the encoder, with the file metadata that ends up
 * in Milvus. A POJO for Flink's serializer.
 */
public class PreprocessedImage {
  public String path;

  /**
   * The crop × crop RGB window (HWC bytes). The embedder normalizes it into its batch buffer: a
   * quarter of the float tensor's size in every queue, buffer and checkpoint on the way.
   */
  public byte[] pixels;

  public String contentSha256;
  public long sizeBytes;
  public long mtimeMs;
  public int width;
  public int height;
  public long frameMs = -1;

  public PreprocessedImage() {}

  /**
   * @param frameMs the frame's time in a video; -1 for a still image
   */
  public static PreprocessedImage of(
      String path,
      byte[] pixels,
      String contentSha256,
      long sizeBytes,
      long mtimeMs,
      int width,
      int height,
      long frameMs) {
    PreprocessedImage out = new PreprocessedImage();
    out.path = path;
    out.pixels = pixels;
    out.contentSha256 = contentSha256;
    out.sizeBytes = sizeBytes;
    out.mtimeMs = mtimeMs;
    out.width = width;
    out.height = height;
    out.frameMs = frameMs;
    return out;
  }

  @Override
  public String toString() {
    return "PreprocessedImage{" + path + ", " + width + "x" + height + "}";
  }
}
