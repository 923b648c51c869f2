package dev.imgsearch.core.image;

import org.bytedeco.opencv.opencv_core.Mat;

/** Pixels out of OpenCV's memory: one copy, row by row where the matrix has padding. */
final class MatPixels {

  private MatPixels() {}

  /** The 8-bit, 3-channel {@code mat} as packed RGB (or BGR, as stored) bytes, row after row. */
  static byte[] packed3(Mat mat) {
    int width = mat.cols();
    int height = mat.rows();
    int rowBytes = width * 3;
    byte[] out = new byte[rowBytes * height];
    if (mat.isContinuous()) {
      mat.data().get(out);
    } else {
      for (int y = 0; y < height; y++) {
        mat.ptr(y).get(out, y * rowBytes, rowBytes);
      }
    }
    return out;
  }
}
