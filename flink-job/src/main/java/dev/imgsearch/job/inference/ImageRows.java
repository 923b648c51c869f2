package dev.imgsearch.job.inference;

import dev.imgsearch.core.store.ImageIds;
import dev.imgsearch.core.store.ImageRecord;
import dev.imgsearch.job.decode.PreprocessedImage;

/**
 * Builds the Milvus row of an embedded image: its deterministic id (from the normalized path and
 * the frame, so that re-ingesting upserts instead of duplicating), its vector and its metadata.
 */
public final class ImageRows {

  private ImageRows() {}

  /**
   * @param model the encoder's id ({@code name@hash}), stored with every vector
   * @param ingestedAtMs when the vector was made
   */
  public static ImageRecord of(
      PreprocessedImage image, float[] vector, String model, long ingestedAtMs) {
    return new ImageRecord(
        ImageIds.ofNormalized(image.path, image.frameMs),
        image.path,
        vector,
        image.contentSha256,
        image.sizeBytes,
        image.width,
        image.height,
        image.mtimeMs,
        model,
        ingestedAtMs,
        image.frameMs);
  }
}
