package dev.imgsearch.core.image;

import java.io.ByteArrayOutputStream;

/**
 * Animated PNG (APNG) handling. OpenCV decodes an APNG's first animation frame, which is not always
 * its default image (the IDAT one that every other viewer, and PIL's first frame, show): for many
 * files it gave an entirely different picture. Dropping the animation chunks leaves the plain PNG
 * of the default image, which OpenCV then decodes like any other.
 */
final class AnimatedPng {

  private AnimatedPng() {}

  /** The file without its acTL, fcTL and fdAT chunks, or {@code png} itself if it has none. */
  static byte[] defaultImage(byte[] png) {
    if (!hasAnimationControl(png)) {
      return png;
    }
    ByteArrayOutputStream out = new ByteArrayOutputStream(png.length);
    out.write(png, 0, 8);
    int pos = 8;
    while (pos < png.length) {
      long end = chunkEnd(png, pos);
      if (end > png.length) {
        // A chunk cut short: keep it as it is, so that the decoder sees the same truncation.
        out.write(png, pos, png.length - pos);
        break;
      }
      if (!isAnimationChunk(png, pos)) {
        out.write(png, pos, (int) (end - pos));
      }
      pos = (int) end;
    }
    return out.toByteArray();
  }

  /** An acTL chunk before the first IDAT: what makes a PNG animated. */
  private static boolean hasAnimationControl(byte[] png) {
    int pos = 8;
    while (pos + 8 <= png.length) {
      if (type(png, pos, "acTL")) {
        return true;
      }
      if (type(png, pos, "IDAT")) {
        return false;
      }
      long end = chunkEnd(png, pos);
      if (end > png.length) {
        return false;
      }
      pos = (int) end;
    }
    return false;
  }

  private static boolean isAnimationChunk(byte[] png, int pos) {
    return pos + 8 <= png.length
        && (type(png, pos, "acTL") || type(png, pos, "fcTL") || type(png, pos, "fdAT"));
  }

  /** The offset after a chunk: 4 length + 4 type + data + 4 CRC. May lie past the end. */
  private static long chunkEnd(byte[] png, int pos) {
    if (pos + 8 > png.length) {
      return Long.MAX_VALUE;
    }
    long length =
        (long) (png[pos] & 0xFF) << 24
            | (png[pos + 1] & 0xFF) << 16
            | (png[pos + 2] & 0xFF) << 8
            | (png[pos + 3] & 0xFF);
    return pos + 12L + length;
  }

  private static boolean type(byte[] png, int pos, String type) {
    for (int i = 0; i < 4; i++) {
      if (png[pos + 4 + i] != type.charAt(i)) {
        return false;
      }
    }
    return true;
  }
}
