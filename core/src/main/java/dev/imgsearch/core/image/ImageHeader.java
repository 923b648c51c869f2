package dev.imgsearch.core.image;

/**
 * What a file declares about itself before any pixel is decoded.
 *
 * @param width declared width in pixels, as stored (before EXIF orientation)
 * @param height declared height in pixels, as stored
 * @param complete false when the container visibly ends early (no JPEG EOI, no PNG IEND, a RIFF or
 *     BMP size larger than the file): a file still being copied looks like this
 */
public record ImageHeader(ImageFormat format, int width, int height, boolean complete) {

  public long pixels() {
    return (long) width * height;
  }
}
