package dev.imgsearch.core.image;

/**
 * Why a file did not become an embedding. Each value carries the hint a user needs to fix it, so
 * that a dead-letter entry or a CLI error is actionable on its own.
 */
public enum RejectReason {
  EMPTY("the file has 0 bytes", "write the file completely, or remove it"),
  TRUNCATED(
      "the file ends before the image data does",
      "copy the file again; write to a name starting with '.' or '_' and rename it when complete"),
  CORRUPT("the image data is damaged", "re-export the image from its source"),
  UNKNOWN_FORMAT(
      "the content is not a known image format",
      "only JPEG, PNG, GIF, BMP, WebP, TIFF, HEIC and AVIF are read; check the file is really an"
          + " image"),
  UNSUPPORTED_FORMAT(
      "the image format is recognised but cannot be decoded here",
      "convert the image to JPEG, PNG or WebP"),
  TOO_LARGE(
      "the image is larger than the configured limit",
      "downscale the image, or raise the limit (--max-pixels) if it is trusted"),
  UNREADABLE(
      "the file could not be read",
      "check that it still exists and that its permissions allow reading"),
  PATH_TOO_LONG(
      "the file's path is longer than the collection's filepath field (1024 bytes)",
      "move the file to a shorter path"),
  VIDEO_DAMAGED(
      "the video could not be decoded to its end; the frames before the damage were ingested",
      "copy the file again if it was cut short, or re-encode it (ffmpeg -i in.mp4 out.mp4)");

  private final String description;
  private final String fix;

  RejectReason(String description, String fix) {
    this.description = description;
    this.fix = fix;
  }

  public String description() {
    return description;
  }

  public String fix() {
    return fix;
  }
}
