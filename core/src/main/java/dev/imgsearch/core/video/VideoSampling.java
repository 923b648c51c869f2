package dev.imgsearch.core.video;

import java.io.Serializable;
import java.util.Locale;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Which files are videos and which of their frames become records.
 *
 * @param extensions lowercase file extensions, without the dot, that are read as videos
 * @param intervalMs one frame per interval: the first frame whose time falls in each interval
 *     {@code [k * intervalMs, (k + 1) * intervalMs)}
 * @param maxFrames at most this many frames per video; 0 for no cap
 * @param minDifference skip a frame whose mean absolute difference from the last kept frame, on a
 *     16x16 grey thumbnail scaled to 0..1, is below this; 0 keeps every sampled frame. 0.02 drops a
 *     static scene and keeps a cut or a camera move.
 */
public record VideoSampling(
    Set<String> extensions, long intervalMs, int maxFrames, double minDifference)
    implements Serializable {

  public static final Set<String> DEFAULT_EXTENSIONS = Set.of("mp4", "mov", "mkv", "webm", "avi");
  public static final long DEFAULT_INTERVAL_MS = 1000;

  public VideoSampling {
    extensions =
        extensions.stream()
            .map(e -> e.strip().toLowerCase(Locale.ROOT).replaceFirst("^\\.", ""))
            .filter(e -> !e.isEmpty())
            .collect(Collectors.toUnmodifiableSet());
    if (intervalMs <= 0) {
      throw new IllegalArgumentException("frame interval must be positive, got " + intervalMs);
    }
    if (maxFrames < 0) {
      throw new IllegalArgumentException(
          "max frames per video must be 0 (no cap) or positive, got " + maxFrames);
    }
    if (!(minDifference >= 0 && minDifference < 1)) {
      throw new IllegalArgumentException(
          "frame difference threshold must be in [0, 1), got " + minDifference);
    }
  }

  public static VideoSampling defaults() {
    return new VideoSampling(DEFAULT_EXTENSIONS, DEFAULT_INTERVAL_MS, 0, 0);
  }

  public VideoSampling withIntervalMs(long value) {
    return new VideoSampling(extensions, value, maxFrames, minDifference);
  }

  public VideoSampling withMaxFrames(int value) {
    return new VideoSampling(extensions, intervalMs, value, minDifference);
  }

  public VideoSampling withMinDifference(double value) {
    return new VideoSampling(extensions, intervalMs, maxFrames, value);
  }

  /** Whether a file of this name is read as a video. */
  public boolean isVideo(String fileName) {
    int dot = fileName.lastIndexOf('.');
    return dot > 0 && extensions.contains(fileName.substring(dot + 1).toLowerCase(Locale.ROOT));
  }
}
