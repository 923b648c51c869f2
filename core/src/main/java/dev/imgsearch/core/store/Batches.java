package dev.imgsearch.core.store;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * Splits rows into upsert batches bounded by row count and by estimated message size. The byte
 * bound keeps each gRPC message far below Milvus's 64 MB cap (proxy.maxMessageSize /
 * grpc.serverMaxRecvSize) whatever the dimension: a 2048-d float vector alone is 8 KiB.
 */
public final class Batches {

  // Per-field framing in the column-wise protobuf message, rounded up.
  private static final int FIELD_OVERHEAD_BYTES = 8;
  private static final int FIELD_COUNT = 11;
  // size_bytes, mtime_ms, ingested_at_ms, frame_ms (INT64) and width, height (INT32).
  private static final int FIXED_SCALAR_BYTES = 4 * Long.BYTES + 2 * Integer.BYTES;

  private Batches() {}

  /** Estimated bytes {@code row} adds to an upsert message. */
  public static long estimatedBytes(ImageRecord row) {
    return (long) row.vector().length * Float.BYTES
        + utf8Length(row.id())
        + utf8Length(row.filepath())
        + utf8Length(row.contentSha256())
        + utf8Length(row.model())
        + FIXED_SCALAR_BYTES
        + (long) FIELD_COUNT * FIELD_OVERHEAD_BYTES;
  }

  /**
   * Consecutive sublists of {@code rows}, in order, each with at most {@code maxRows} rows and at
   * most {@code maxBytes} estimated bytes. A single row over {@code maxBytes} goes alone in its
   * batch rather than failing here; the server has the final word on its size.
   */
  public static List<List<ImageRecord>> split(List<ImageRecord> rows, int maxRows, long maxBytes) {
    if (maxRows < 1 || maxBytes < 1) {
      throw new IllegalArgumentException(
          "batch limits must be positive, got maxRows=" + maxRows + ", maxBytes=" + maxBytes);
    }
    List<List<ImageRecord>> batches = new ArrayList<>();
    int start = 0;
    long bytes = 0;
    for (int i = 0; i < rows.size(); i++) {
      long rowBytes = estimatedBytes(rows.get(i));
      boolean full = i - start == maxRows || (i > start && bytes + rowBytes > maxBytes);
      if (full) {
        batches.add(rows.subList(start, i));
        start = i;
        bytes = 0;
      }
      bytes += rowBytes;
    }
    if (start < rows.size()) {
      batches.add(rows.subList(start, rows.size()));
    }
    return batches;
  }

  private static int utf8Length(String value) {
    return value.getBytes(StandardCharsets.UTF_8).length;
  }
}
