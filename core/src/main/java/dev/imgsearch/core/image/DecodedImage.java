package dev.imgsearch.core.image;

import java.util.Objects;

/**
 * An 8-bit RGB image, rows top to bottom, pixels interleaved (HWC), with EXIF orientation applied.
 *
 * @param sourceWidth width of the full-size image as oriented; larger than {@code width} only after
 *     a fast reduced-size JPEG decode
 * @param sourceHeight height of the full-size image as oriented
 */
public record DecodedImage(
    byte[] rgb, int width, int height, ImageFormat format, int sourceWidth, int sourceHeight) {

  public DecodedImage(byte[] rgb, int width, int height, ImageFormat format) {
    this(rgb, width, height, format, width, height);
  }

  public DecodedImage {
    Objects.requireNonNull(rgb, "rgb");
    Objects.requireNonNull(format, "format");
    if (width <= 0 || height <= 0 || rgb.length != 3L * width * height) {
      throw new IllegalArgumentException(
          "RGB buffer of " + rgb.length + " bytes does not hold " + width + "x" + height + "x3");
    }
  }
}
