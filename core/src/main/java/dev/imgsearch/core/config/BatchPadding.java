package dev.imgsearch.core.config;

import java.util.Locale;

/**
 * Whether a partial batch is padded to one of a few fixed sizes before inference. On a GPU every
 * new batch shape costs a cuDNN algorithm search (with {@code exhaustive}) and a new memory plan;
 * with buckets (powers of two up to the batch size) that happens a few times at warm-up and never
 * again. On a CPU padding only adds work.
 */
public enum BatchPadding {
  /** Buckets on CUDA, none on the CPU. */
  AUTO,
  /** Pad to the next power of two (or the batch size), on any device. */
  BUCKETS,
  /** Run every batch at its own size. */
  NONE;

  public static BatchPadding parse(String text) {
    try {
      return valueOf(text.strip().toUpperCase(Locale.ROOT));
    } catch (IllegalArgumentException | NullPointerException e) {
      throw new IllegalArgumentException(
          "unknown batch padding '" + text + "': use auto, buckets or none");
    }
  }
}
