package dev.imgsearch.core.video;

import java.util.Locale;

/** The one way a frame's time is written for people: {@code mm:ss.mmm}. */
public final class FrameTime {

  private FrameTime() {}

  /** {@code mm:ss.mmm}; minutes grow past 59 rather than adding hours ({@code 75:02.345}). */
  public static String format(long frameMs) {
    if (frameMs < 0) {
      throw new IllegalArgumentException(
          "frame time is " + frameMs + " ms; still images have no time");
    }
    long minutes = frameMs / 60_000;
    long seconds = (frameMs / 1000) % 60;
    long millis = frameMs % 1000;
    return String.format(Locale.ROOT, "%02d:%02d.%03d", minutes, seconds, millis);
  }
}
