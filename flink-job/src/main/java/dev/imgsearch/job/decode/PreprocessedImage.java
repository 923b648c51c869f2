package dev.imgsearch.job.decode;

/**
 * A decoded image, preprocessed into the encoder's CHW float tensor, with the file metadata that
 * ends up in Milvus. A POJO for Flink's serializer.
 */
public class PreprocessedImage {
  public String path;
  public float[] tensor;
  public String contentSha256;
  public long sizeBytes;
  public long mtimeMs;
  public int width;
  public int height;
  public long frameMs = -1;

  public PreprocessedImage() {}

  @Override
  public String toString() {
    return "PreprocessedImage{" + path + ", " + width + "x" + height + "}";
  }
}
