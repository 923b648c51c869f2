package dev.imgsearch.core.video;

import dev.imgsearch.core.image.DecodedImage;

/**
 * A 16x16 grey thumbnail of a frame by block averages, and how far two of them differ: enough to
 * tell a cut or a camera move from a still scene, at the cost of one pass over the pixels.
 */
final class FrameSignature {

  private static final int SIDE = 16;

  private FrameSignature() {}

  static byte[] of(DecodedImage image) {
    int w = image.width();
    int h = image.height();
    byte[] rgb = image.rgb();
    byte[] out = new byte[SIDE * SIDE];
    for (int by = 0; by < SIDE; by++) {
      int y0 = by * h / SIDE;
      int y1 = Math.max(y0 + 1, (by + 1) * h / SIDE);
      for (int bx = 0; bx < SIDE; bx++) {
        int x0 = bx * w / SIDE;
        int x1 = Math.max(x0 + 1, (bx + 1) * w / SIDE);
        long sum = 0;
        int n = 0;
        for (int y = y0; y < y1; y++) {
          int p = (y * w + x0) * 3;
          for (int x = x0; x < x1; x++, p += 3) {
            // Integer luma (BT.601), as cheap as it gets.
            sum += (299 * (rgb[p] & 0xff) + 587 * (rgb[p + 1] & 0xff) + 114 * (rgb[p + 2] & 0xff));
            n++;
          }
        }
        out[by * SIDE + bx] = (byte) (sum / (1000L * n));
      }
    }
    return out;
  }

  /** Mean absolute difference of two signatures, 0 (same) to 1. */
  static double difference(byte[] a, byte[] b) {
    long sum = 0;
    for (int i = 0; i < a.length; i++) {
      sum += Math.abs((a[i] & 0xff) - (b[i] & 0xff));
    }
    return sum / (255.0 * a.length);
  }
}
