package dev.imgsearch.core.preprocess;

import java.util.Arrays;

/**
 * Pillow's {@code Image.resize(size, BILINEAR)} for 8-bit RGB, reproduced to the bit: a separable
 * triangle filter whose support widens with the downscale factor (that is Pillow's antialiasing),
 * horizontal pass first, fixed-point coefficients with 22 fractional bits, and an 8-bit
 * intermediate image. torchvision's {@code Resize} on a PIL image is exactly this call, so parity
 * with the reference pipeline is won or lost here.
 *
 * <p>Only the requested output window is computed, so a resize followed by a center crop costs only
 * the cropped pixels.
 */
final class PilBilinearReference {

  private static final int PRECISION_BITS = 32 - 8 - 2;
  private static final double FILTER_SUPPORT = 1.0;

  private PilBilinearReference() {}

  /** Filter taps of one output coordinate range along one axis. */
  record Coefficients(int[] start, int[] count, int[] weights, int taps) {}

  /**
   * Pillow's {@code precompute_coeffs} + {@code normalize_coeffs_8bpc} for output coordinates
   * {@code [outFrom, outFrom + outCount)} of a resize from {@code inSize} to {@code outSize}.
   */
  static Coefficients coefficients(int inSize, int outSize, int outFrom, int outCount) {
    double scale = (double) inSize / outSize;
    double filterScale = Math.max(scale, 1.0);
    double support = FILTER_SUPPORT * filterScale;
    int taps = (int) Math.ceil(support) * 2 + 1;
    int[] start = new int[outCount];
    int[] count = new int[outCount];
    int[] weights = new int[outCount * taps];
    double[] k = new double[taps];
    double ss = 1.0 / filterScale;
    for (int i = 0; i < outCount; i++) {
      int xx = outFrom + i;
      double center = (xx + 0.5) * scale;
      int xmin = Math.max((int) (center - support + 0.5), 0);
      int xmax = Math.min((int) (center + support + 0.5), inSize) - xmin;
      double ww = 0.0;
      for (int x = 0; x < xmax; x++) {
        double w = triangle((x + xmin - center + 0.5) * ss);
        k[x] = w;
        ww += w;
      }
      for (int x = 0; x < xmax; x++) {
        double w = ww != 0.0 ? k[x] / ww : k[x];
        weights[i * taps + x] =
            w < 0
                ? (int) (-0.5 + w * (1 << PRECISION_BITS))
                : (int) (0.5 + w * (1 << PRECISION_BITS));
      }
      start[i] = xmin;
      count[i] = xmax;
    }
    return new Coefficients(start, count, weights, taps);
  }

  private static double triangle(double x) {
    x = Math.abs(x);
    return x < 1.0 ? 1.0 - x : 0.0;
  }

  /**
   * Resizes {@code src} (RGB, HWC) to {@code outW x outH} and returns only the window whose
   * top-left corner is ({@code left}, {@code top}) and whose size is {@code winW x winH}, as RGB
   * HWC bytes.
   */
  static byte[] resizeWindow(
      byte[] src, int inW, int inH, int outW, int outH, int left, int top, int winW, int winH) {
    Coefficients vertical = coefficients(inH, outH, top, winH);
    // Only the source rows that the window's vertical taps touch go through the horizontal pass.
    int firstRow = vertical.start()[0];
    int lastRow = vertical.start()[winH - 1] + vertical.count()[winH - 1];
    int rows = lastRow - firstRow;

    if (outW == inW) {
      // Pillow skips a pass whose size does not change; so do we (it would be the identity).
      return verticalPass(src, inW * 3, left * 3, winW, vertical, 0, winH);
    }
    Coefficients h = coefficients(inW, outW, left, winW);
    int hStride = winW * 3;
    byte[] horizontal = new byte[rows * hStride];
    horizontalPass(src, inW * 3, firstRow, rows, h, horizontal, winW);
    if (outH == inH) {
      // No vertical resize: the window's rows are the horizontal output as is.
      byte[] out = new byte[winH * hStride];
      System.arraycopy(horizontal, (top - firstRow) * hStride, out, 0, out.length);
      return out;
    }
    return verticalPass(horizontal, hStride, 0, winW, vertical, firstRow, winH);
  }

  private static void horizontalPass(
      byte[] src, int srcStride, int firstRow, int rows, Coefficients c, byte[] dst, int winW) {
    int taps = c.taps();
    int half = 1 << (PRECISION_BITS - 1);
    for (int r = 0; r < rows; r++) {
      int rowBase = (firstRow + r) * srcStride;
      int outBase = r * winW * 3;
      for (int xx = 0; xx < winW; xx++) {
        int xmin = c.start()[xx];
        int n = c.count()[xx];
        int kBase = xx * taps;
        int s0 = half;
        int s1 = half;
        int s2 = half;
        int p = rowBase + xmin * 3;
        for (int x = 0; x < n; x++, p += 3) {
          int w = c.weights()[kBase + x];
          s0 += (src[p] & 0xFF) * w;
          s1 += (src[p + 1] & 0xFF) * w;
          s2 += (src[p + 2] & 0xFF) * w;
        }
        int o = outBase + xx * 3;
        dst[o] = clip8(s0);
        dst[o + 1] = clip8(s1);
        dst[o + 2] = clip8(s2);
      }
    }
  }

  /**
   * @param colOffset byte offset of the window's first column inside each source row
   * @param rowOrigin source row that row index 0 of {@code src} corresponds to
   */
  private static byte[] verticalPass(
      byte[] src, int srcStride, int colOffset, int winW, Coefficients c, int rowOrigin, int winH) {
    int taps = c.taps();
    int half = 1 << (PRECISION_BITS - 1);
    int rowBytes = winW * 3;
    byte[] out = new byte[winH * rowBytes];
    int[] acc = new int[rowBytes];
    for (int yy = 0; yy < winH; yy++) {
      Arrays.fill(acc, half);
      int ymin = c.start()[yy] - rowOrigin;
      int n = c.count()[yy];
      int kBase = yy * taps;
      for (int y = 0; y < n; y++) {
        int w = c.weights()[kBase + y];
        int p = (ymin + y) * srcStride + colOffset;
        for (int i = 0; i < rowBytes; i++) {
          acc[i] += (src[p + i] & 0xFF) * w;
        }
      }
      int o = yy * rowBytes;
      for (int i = 0; i < rowBytes; i++) {
        out[o + i] = clip8(acc[i]);
      }
    }
    return out;
  }

  private static byte clip8(int v) {
    int x = v >> PRECISION_BITS;
    return (byte) (x < 0 ? 0 : Math.min(x, 255));
  }
}
