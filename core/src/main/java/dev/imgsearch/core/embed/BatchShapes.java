package dev.imgsearch.core.embed;

import java.util.ArrayList;
import java.util.List;

/**
 * The batch sizes sessions run at: each batch's own size, or the smallest bucket that holds it
 * (powers of two up to the largest batch, and the largest batch itself). Padded rows are zeros and
 * their outputs are dropped.
 */
final class BatchShapes {

  private final int largest;
  private final boolean buckets;

  private BatchShapes(int largest, boolean buckets) {
    if (largest < 1) {
      throw new IllegalArgumentException("largest batch must be >= 1, got " + largest);
    }
    this.largest = largest;
    this.buckets = buckets;
  }

  static BatchShapes exact(int largest) {
    return new BatchShapes(largest, false);
  }

  static BatchShapes buckets(int largest) {
    return new BatchShapes(largest, true);
  }

  boolean padded() {
    return buckets;
  }

  int largest() {
    return largest;
  }

  /** The size a batch of {@code count} images runs at. */
  int shapeFor(int count) {
    if (!buckets || count >= largest) {
      return Math.max(count, 1);
    }
    int bucket = Integer.highestOneBit(Math.max(count, 1));
    return bucket == count ? count : Math.min(bucket << 1, largest);
  }

  /** The sizes to run once at start-up, largest first: every bucket, or the largest batch. */
  List<Integer> warmUp() {
    List<Integer> shapes = new ArrayList<>();
    shapes.add(largest);
    if (buckets) {
      for (int b = Integer.highestOneBit(largest); b >= 1; b >>= 1) {
        if (b != largest) {
          shapes.add(b);
        }
      }
    }
    return shapes;
  }

  @Override
  public String toString() {
    List<Integer> ascending = new ArrayList<>(warmUp());
    java.util.Collections.reverse(ascending);
    return buckets ? "buckets " + ascending : "up to " + largest;
  }
}
