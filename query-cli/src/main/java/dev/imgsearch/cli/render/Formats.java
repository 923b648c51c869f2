package dev.imgsearch.cli.render;

import dev.imgsearch.core.store.MetricType;
import dev.imgsearch.core.video.FrameTime;
import java.nio.file.Path;
import java.util.Locale;
import java.util.function.ToIntFunction;

/** Text shown to users: frame times, distances, metric meanings, shortened names. */
public final class Formats {

  private static final String ELLIPSIS = "\u2026";

  private Formats() {}

  /** {@code mm:ss.mmm}; minutes grow past 59 rather than adding hours ({@code 75:02.345}). */
  public static String frameTime(long frameMs) {
    return FrameTime.format(frameMs);
  }

  /** Four decimals: enough to tell near-duplicates apart, short enough for a caption. */
  public static String distance(float distance) {
    return String.format(Locale.ROOT, "%.4f", distance);
  }

  /** What a hit's distance means under this metric, e.g. for a header line. */
  public static String metricMeaning(MetricType metric) {
    return switch (metric) {
      case COSINE -> "COSINE similarity: higher is closer, 1 = same direction";
      case IP -> "inner product: higher is closer";
      case L2 -> "squared L2 distance: lower is closer, 0 = identical";
    };
  }

  /** "higher is closer" or "lower is closer". */
  public static String closer(MetricType metric) {
    return metric.higherIsCloser() ? "higher is closer" : "lower is closer";
  }

  public static String fileName(String path) {
    if (path == null || path.isEmpty()) {
      return "";
    }
    Path name = Path.of(path).getFileName();
    return name == null ? path : name.toString();
  }

  /**
   * {@code text} shortened to fit {@code maxWidth} by cutting its middle, so that a file name keeps
   * its start and its extension: {@code holiday-beach-with-…-2019.jpg}.
   */
  public static String ellipsizeMiddle(String text, int maxWidth, ToIntFunction<String> width) {
    if (width.applyAsInt(text) <= maxWidth) {
      return text;
    }
    if (width.applyAsInt(ELLIPSIS) > maxWidth) {
      return "";
    }
    int keepTotal = text.length() - 1;
    while (keepTotal > 0) {
      int tail = keepTotal / 2;
      int head = keepTotal - tail;
      String candidate = text.substring(0, head) + ELLIPSIS + text.substring(text.length() - tail);
      if (width.applyAsInt(candidate) <= maxWidth) {
        return candidate;
      }
      keepTotal--;
    }
    return ELLIPSIS;
  }

  /** {@code text} cut at the end to fit {@code maxWidth}, with an ellipsis. */
  public static String ellipsizeEnd(String text, int maxWidth, ToIntFunction<String> width) {
    if (width.applyAsInt(text) <= maxWidth) {
      return text;
    }
    for (int keep = text.length() - 1; keep > 0; keep--) {
      String candidate = text.substring(0, keep).stripTrailing() + ELLIPSIS;
      if (width.applyAsInt(candidate) <= maxWidth) {
        return candidate;
      }
    }
    return width.applyAsInt(ELLIPSIS) <= maxWidth ? ELLIPSIS : "";
  }

  /** Milliseconds of a nanosecond span, one decimal below 10 ms. */
  public static String millis(long nanos) {
    double ms = nanos / 1e6;
    return ms < 10
        ? String.format(Locale.ROOT, "%.1f ms", ms)
        : String.format(Locale.ROOT, "%d ms", Math.round(ms));
  }
}
