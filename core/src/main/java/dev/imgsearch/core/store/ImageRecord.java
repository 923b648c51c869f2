package dev.imgsearch.core.store;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * One row of the image collection: an image (or a video frame), its embedding and metadata.
 *
 * @param id primary key, see {@link ImageIds}
 * @param filepath normalized absolute path, at most 1024 UTF-8 bytes
 * @param vector the embedding; not copied, do not modify after handing it over
 * @param contentSha256 lowercase hex SHA-256 of the file's bytes
 * @param sizeBytes file size
 * @param width decoded width in pixels
 * @param height decoded height in pixels
 * @param mtimeMs file modification time, epoch milliseconds
 * @param model name of the model that produced the vector
 * @param ingestedAtMs when the row was produced, epoch milliseconds
 * @param frameMs position of the frame in a video, -1 for still images
 */
public record ImageRecord(
    String id,
    String filepath,
    float[] vector,
    String contentSha256,
    long sizeBytes,
    int width,
    int height,
    long mtimeMs,
    String model,
    long ingestedAtMs,
    long frameMs) {

  public static final long STILL_IMAGE = -1;

  private static final Pattern SHA256_HEX = Pattern.compile("[0-9a-f]{64}");

  public ImageRecord {
    requireVarchar("id", id, ImageFields.ID_MAX_LENGTH);
    requireVarchar("filepath", filepath, ImageFields.FILEPATH_MAX_LENGTH);
    requireVarchar("model", model, ImageFields.MODEL_MAX_LENGTH);
    Objects.requireNonNull(vector, "vector must not be null");
    if (vector.length == 0) {
      throw new IllegalArgumentException("vector of " + filepath + " is empty");
    }
    if (contentSha256 == null || !SHA256_HEX.matcher(contentSha256).matches()) {
      throw new IllegalArgumentException(
          "contentSha256 of "
              + filepath
              + " is '"
              + contentSha256
              + "'; expected 64 lowercase hex characters");
    }
    if (sizeBytes < 0 || width < 0 || height < 0) {
      throw new IllegalArgumentException(
          "size/width/height of "
              + filepath
              + " must not be negative, got "
              + sizeBytes
              + "/"
              + width
              + "/"
              + height);
    }
    if (frameMs < STILL_IMAGE) {
      throw new IllegalArgumentException(
          "frameMs of " + filepath + " is " + frameMs + "; use -1 for still images or >= 0");
    }
  }

  /** Builds a row for {@code file}, computing the normalized path and the id from it. */
  public static ImageRecord of(
      Path file,
      long frameMs,
      float[] vector,
      String contentSha256,
      long sizeBytes,
      int width,
      int height,
      long mtimeMs,
      String model,
      long ingestedAtMs) {
    String filepath = ImageIds.normalize(file);
    return new ImageRecord(
        ImageIds.ofNormalized(filepath, frameMs),
        filepath,
        vector,
        contentSha256,
        sizeBytes,
        width,
        height,
        mtimeMs,
        model,
        ingestedAtMs,
        frameMs);
  }

  // Arrays compare by content; the generated methods would compare the vector by reference.
  @Override
  public boolean equals(Object other) {
    return other instanceof ImageRecord that
        && id.equals(that.id)
        && filepath.equals(that.filepath)
        && Arrays.equals(vector, that.vector)
        && contentSha256.equals(that.contentSha256)
        && sizeBytes == that.sizeBytes
        && width == that.width
        && height == that.height
        && mtimeMs == that.mtimeMs
        && model.equals(that.model)
        && ingestedAtMs == that.ingestedAtMs
        && frameMs == that.frameMs;
  }

  @Override
  public int hashCode() {
    return Objects.hash(id, filepath, Arrays.hashCode(vector), contentSha256, frameMs);
  }

  // Thousands of floats would drown the log.
  @Override
  public String toString() {
    return "ImageRecord[id="
        + id
        + ", filepath="
        + filepath
        + ", frameMs="
        + frameMs
        + ", dim="
        + vector.length
        + ", model="
        + model
        + "]";
  }

  private static void requireVarchar(String field, String value, int maxBytes) {
    if (value == null || value.isEmpty()) {
      throw new IllegalArgumentException(field + " must not be empty");
    }
    int bytes = value.getBytes(StandardCharsets.UTF_8).length;
    if (bytes > maxBytes) {
      throw new IllegalArgumentException(
          field
              + " is "
              + bytes
              + " UTF-8 bytes, over the collection's VARCHAR("
              + maxBytes
              + ") limit: "
              + value.substring(0, Math.min(value.length(), 80))
              + "...");
    }
  }
}
