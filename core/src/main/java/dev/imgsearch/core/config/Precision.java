package dev.imgsearch.core.config;

import java.util.Locale;

/**
 * Which copy of an encoder runs: the fp32 model given, or its int8 companion ({@code
 * NAME.int8.onnx} beside {@code NAME.onnx}, written by {@code models/convert_precision.py
 * --precision int8}).
 */
public enum Precision {
  /**
   * The collection's own model when it already holds vectors of one of the two; otherwise int8 on a
   * CPU with int8 dot-product instructions (VNNI or AMX) when the companion exists, else fp32.
   */
  AUTO,
  FP32,
  INT8;

  public static Precision parse(String text) {
    try {
      return valueOf(text.strip().toUpperCase(Locale.ROOT));
    } catch (IllegalArgumentException | NullPointerException e) {
      throw new IllegalArgumentException(
          "unknown precision '" + text + "': use auto, fp32 or int8");
    }
  }

  @Override
  public String toString() {
    return name().toLowerCase(Locale.ROOT);
  }
}
