package dev.imgsearch.core.preprocess;

/**
 * Pillow's {@code Image.resize(size, BILINEAR)} for 8-bit RGB, reproduced to the bit: a separable
 * triangle filter whose support widens with the downscale factor (that is Pillow's antialiasing),
 * horizontal pass first, fixed-point coefficients with 22 fractional bits, and an 8-bit
 * intermediate image. torchvision's {@code Resize} on a PIL image is exactly this call, so parity
 * with the reference pipeline is won or lost here.
 *
 * <p>Only the requested output window is computed, so a resize followed by a center crop costs only
 * the cropped pixels: the horizontal pass runs over the source rows and columns that the window's
 * taps touch, the vertical pass over the window's columns.
 *
 * <p>The arithmetic is Pillow's, integer for integer; only the order of the loops differs, so that
 * HotSpot's C2 compiler turns the multiply-accumulate loops into SIMD code. C2 (JDK 17) vectorises
 * {@code acc[i] += row[i] * w} over {@code int} arrays only when every array is indexed by the same
 * {@code i}, and not at all across a byte-to-int conversion. So the pixels a pass reads are first
 * widened to {@code int}, one array per line along which the pass sums: for the horizontal pass the
 * source block is transposed, one array per source column (a block of columns at a time, so that it
 * stays in the L2 cache); its results go straight into one array per row, which the vertical pass
 * sums the same way. The widening, the transposition and the final narrowing to bytes are the only
 * scalar loops, each touching every pixel once.
 */
final class PilBilinearResampler {

  private static final int PRECISION_BITS = 32 - 8 - 2;
  private static final int HALF = 1 << (PRECISION_BITS - 1);
  private static final double FILTER_SUPPORT = 1.0;

  /** At most this many outputs of the horizontal pass per block of transposed source columns. */
  private static final int COLUMN_BLOCK = 32;

  /** Bytes of transposed source columns per block: about what an L2 cache holds. */
  private static final long COLUMN_BLOCK_BYTES = 2L << 20;

  /** Work arrays larger than this, in bytes, are not kept for the thread's next call. */
  private static final long SCRATCH_KEEP_BYTES = 32L << 20;

  /** Rows per tile of the transposition, so that the source lines it reads stay cached. */
  private static final int TILE_ROWS = 32;

  private PilBilinearResampler() {}

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
   * Work arrays of one call. Between calls a thread keeps them in {@link #KEPT} as plain arrays (no
   * class of this project in the value), so that a thread outliving a Flink job does not pin the
   * job's class loader; a resize then allocates only its output.
   */
  private static final class Scratch {
    private static final int COLUMNS = 0;
    private static final int SUMS = 1;
    private static final int ROWS = 2;
    private static final int ACC = 3;

    final int[][][] arrays;

    Scratch(int[][][] arrays) {
      this.arrays = arrays;
    }

    int[][] columns(int n, int length) {
      return lines(COLUMNS, n, length);
    }

    int[][] sums(int n, int length) {
      return lines(SUMS, n, length);
    }

    int[][] rows(int n, int length) {
      return lines(ROWS, n, length);
    }

    int[] acc(int length) {
      return lines(ACC, 1, length)[0];
    }

    private int[][] lines(int which, int n, int length) {
      int[][] lines = arrays[which];
      if (lines.length < n) {
        int[][] grown = new int[n][];
        System.arraycopy(lines, 0, grown, 0, lines.length);
        lines = grown;
        arrays[which] = lines;
      }
      for (int i = 0; i < n; i++) {
        if (lines[i] == null || lines[i].length < length) {
          lines[i] = new int[length];
        }
      }
      return lines;
    }

    /** Whether these arrays are small enough to keep for the next call. */
    boolean keep() {
      long total = 0;
      for (int[][] lines : arrays) {
        for (int[] line : lines) {
          total += line == null ? 0 : 4L * line.length;
        }
      }
      return total <= SCRATCH_KEEP_BYTES;
    }
  }

  private static final ThreadLocal<int[][][]> KEPT =
      ThreadLocal.withInitial(
          () -> new int[][][] {new int[0][], new int[0][], new int[0][], new int[0][]});

  /**
   * Resizes {@code src} (RGB, HWC) to {@code outW x outH} and returns only the window whose
   * top-left corner is ({@code left}, {@code top}) and whose size is {@code winW x winH}, as RGB
   * HWC bytes.
   */
  static byte[] resizeWindow(
      byte[] src, int inW, int inH, int outW, int outH, int left, int top, int winW, int winH) {
    Scratch scratch = new Scratch(KEPT.get());
    try {
      return resizeWindow(src, inW, inH, outW, outH, left, top, winW, winH, scratch);
    } finally {
      if (!scratch.keep()) {
        // A huge image: let its arrays go rather than hold them for the thread's life.
        KEPT.remove();
      }
    }
  }

  private static byte[] resizeWindow(
      byte[] src,
      int inW,
      int inH,
      int outW,
      int outH,
      int left,
      int top,
      int winW,
      int winH,
      Scratch scratch) {
    int rowBytes = winW * 3;
    byte[] out = new byte[winH * rowBytes];
    // Pillow skips a pass whose size does not change (it would be the identity); so do we.
    boolean horizontal = outW != inW;
    boolean vertical = outH != inH;
    if (!vertical) {
      if (!horizontal) {
        for (int y = 0; y < winH; y++) {
          System.arraycopy(src, ((top + y) * inW + left) * 3, out, y * rowBytes, rowBytes);
        }
        return out;
      }
      // No vertical resize: the window's rows are the horizontal output as is.
      Coefficients h = coefficients(inW, outW, left, winW);
      int[][] rows = scratch.rows(winH, rowBytes);
      horizontalPass(src, inW * 3, top, winH, h, rows, scratch);
      for (int y = 0; y < winH; y++) {
        narrow(rows[y], out, y * rowBytes, rowBytes);
      }
      return out;
    }
    Coefficients v = coefficients(inH, outH, top, winH);
    // Only the source rows that the window's vertical taps touch go through the horizontal pass.
    int firstRow = v.start()[0];
    int lastRow = firstRow;
    for (int y = 0; y < winH; y++) {
      lastRow = Math.max(lastRow, v.start()[y] + v.count()[y]);
    }
    int rowCount = lastRow - firstRow;
    int[][] rows = scratch.rows(rowCount, rowBytes);
    if (horizontal) {
      Coefficients h = coefficients(inW, outW, left, winW);
      horizontalPass(src, inW * 3, firstRow, rowCount, h, rows, scratch);
    } else {
      for (int r = 0; r < rowCount; r++) {
        widen(src, ((firstRow + r) * inW + left) * 3, rows[r], rowBytes);
      }
    }
    verticalPass(rows, firstRow, rowBytes, v, out, scratch.acc(rowBytes));
    return out;
  }

  /**
   * Pillow's horizontal pass over source rows {@code [firstRow, firstRow + rowCount)}: output row
   * {@code r} goes to {@code dst[r]} as 8-bit values in ints, window columns only.
   */
  private static void horizontalPass(
      byte[] src,
      int srcStride,
      int firstRow,
      int rowCount,
      Coefficients c,
      int[][] dst,
      Scratch scratch) {
    int[] start = c.start();
    int[] count = c.count();
    int[] weights = c.weights();
    int taps = c.taps();
    int winW = start.length;
    int length = rowCount * 3;
    // Outputs per block: as many as keep the block's transposed columns about L2-sized.
    long columnsPerOutput = Math.max(1, (start[winW - 1] + count[winW - 1] - start[0]) / winW);
    int block =
        (int)
            Math.max(
                1, Math.min(COLUMN_BLOCK, COLUMN_BLOCK_BYTES / (4L * length * columnsPerOutput)));
    int[][] sums = scratch.sums(block, length);
    for (int x0 = 0; x0 < winW; x0 += block) {
      int x1 = Math.min(winW, x0 + block);
      int firstCol = start[x0];
      int lastCol = firstCol;
      for (int x = x0; x < x1; x++) {
        lastCol = Math.max(lastCol, start[x] + count[x]);
      }
      int[][] columns = scratch.columns(lastCol - firstCol, length);
      transpose(src, srcStride, firstRow, rowCount, firstCol, lastCol, columns);
      for (int x = x0; x < x1; x++) {
        int[] acc = sums[x - x0];
        sum(columns, start[x] - firstCol, count[x], weights, x * taps, acc, length);
      }
      // Back to rows: pixel r of output column x is row r's pixel x.
      for (int r = 0, i = 0; r < rowCount; r++, i += 3) {
        int[] row = dst[r];
        for (int x = x0, o = x0 * 3; x < x1; x++, o += 3) {
          int[] column = sums[x - x0];
          row[o] = column[i];
          row[o + 1] = column[i + 1];
          row[o + 2] = column[i + 2];
        }
      }
    }
  }

  /**
   * Source columns {@code [firstCol, lastCol)} of rows {@code [firstRow, firstRow + rowCount)},
   * widened: {@code columns[j][3 * r + ch]} is channel {@code ch} of row {@code r}, column {@code
   * firstCol + j}.
   */
  private static void transpose(
      byte[] src,
      int srcStride,
      int firstRow,
      int rowCount,
      int firstCol,
      int lastCol,
      int[][] columns) {
    for (int r0 = 0; r0 < rowCount; r0 += TILE_ROWS) {
      int r1 = Math.min(rowCount, r0 + TILE_ROWS);
      for (int col = firstCol; col < lastCol; col++) {
        int[] column = columns[col - firstCol];
        int p = (firstRow + r0) * srcStride + col * 3;
        for (int r = r0, i = r0 * 3; r < r1; r++, i += 3, p += srcStride) {
          column[i] = src[p] & 0xFF;
          column[i + 1] = src[p + 1] & 0xFF;
          column[i + 2] = src[p + 2] & 0xFF;
        }
      }
    }
  }

  /**
   * Pillow's vertical pass: output row {@code y} of the window sums the rows its taps name ({@code
   * rows[r]} holds source row {@code rowOrigin + r}) and goes to {@code out} as bytes.
   */
  private static void verticalPass(
      int[][] rows, int rowOrigin, int rowBytes, Coefficients c, byte[] out, int[] acc) {
    int[] start = c.start();
    int[] count = c.count();
    int[] weights = c.weights();
    int taps = c.taps();
    for (int y = 0; y < start.length; y++) {
      sum(rows, start[y] - rowOrigin, count[y], weights, y * taps, acc, rowBytes);
      int o = y * rowBytes;
      for (int i = 0; i < rowBytes; i++) {
        out[o + i] = (byte) acc[i];
      }
    }
  }

  /**
   * {@code acc[i] = clip8(HALF + sum over k < n of lines[first + k][i] * weights[kBase + k])}: one
   * output line of a pass, Pillow's {@code ss} accumulator and {@code clip8}. Taps are summed four
   * per sweep over the lines, so that the accumulator makes few trips through memory.
   */
  private static void sum(
      int[][] lines, int first, int n, int[] weights, int kBase, int[] acc, int length) {
    int k = 0;
    boolean started = false;
    while (n - k >= 4) {
      add4(
          started,
          lines[first + k],
          weights[kBase + k],
          lines[first + k + 1],
          weights[kBase + k + 1],
          lines[first + k + 2],
          weights[kBase + k + 2],
          lines[first + k + 3],
          weights[kBase + k + 3],
          acc,
          length);
      started = true;
      k += 4;
    }
    switch (n - k) {
      case 3 ->
          add3(
              started,
              lines[first + k],
              weights[kBase + k],
              lines[first + k + 1],
              weights[kBase + k + 1],
              lines[first + k + 2],
              weights[kBase + k + 2],
              acc,
              length);
      case 2 ->
          add2(
              started,
              lines[first + k],
              weights[kBase + k],
              lines[first + k + 1],
              weights[kBase + k + 1],
              acc,
              length);
      case 1 ->
          add2(started, lines[first + k], weights[kBase + k], lines[first + k], 0, acc, length);
      default -> {
        if (!started) {
          java.util.Arrays.fill(acc, 0, length, HALF);
        }
      }
    }
    for (int i = 0; i < length; i++) {
      acc[i] = Math.max(0, Math.min(acc[i] >> PRECISION_BITS, 255));
    }
  }

  // The loops below index every array with the same i: that is what C2 vectorises.

  private static void add4(
      boolean started,
      int[] a,
      int wa,
      int[] b,
      int wb,
      int[] c,
      int wc,
      int[] d,
      int wd,
      int[] acc,
      int length) {
    if (started) {
      for (int i = 0; i < length; i++) {
        acc[i] += a[i] * wa + b[i] * wb + c[i] * wc + d[i] * wd;
      }
    } else {
      for (int i = 0; i < length; i++) {
        acc[i] = HALF + a[i] * wa + b[i] * wb + c[i] * wc + d[i] * wd;
      }
    }
  }

  private static void add3(
      boolean started, int[] a, int wa, int[] b, int wb, int[] c, int wc, int[] acc, int length) {
    if (started) {
      for (int i = 0; i < length; i++) {
        acc[i] += a[i] * wa + b[i] * wb + c[i] * wc;
      }
    } else {
      for (int i = 0; i < length; i++) {
        acc[i] = HALF + a[i] * wa + b[i] * wb + c[i] * wc;
      }
    }
  }

  private static void add2(
      boolean started, int[] a, int wa, int[] b, int wb, int[] acc, int length) {
    if (started) {
      for (int i = 0; i < length; i++) {
        acc[i] += a[i] * wa + b[i] * wb;
      }
    } else {
      for (int i = 0; i < length; i++) {
        acc[i] = HALF + a[i] * wa + b[i] * wb;
      }
    }
  }

  private static void widen(byte[] src, int from, int[] dst, int length) {
    for (int i = 0; i < length; i++) {
      dst[i] = src[from + i] & 0xFF;
    }
  }

  private static void narrow(int[] src, byte[] dst, int from, int length) {
    for (int i = 0; i < length; i++) {
      dst[from + i] = (byte) src[i];
    }
  }
}
