package dev.imgsearch.core.video;

import dev.imgsearch.core.image.DecodedImage;
import java.util.Objects;

/**
 * One sampled frame of a video.
 *
 * @param frameMs the frame's presentation time from the start of the video, in milliseconds
 *     (rounded down): with the path, it is the frame's identity
 * @param image its pixels, RGB, full size
 */
public record VideoFrame(long frameMs, DecodedImage image) {
  public VideoFrame {
    if (frameMs < 0) {
      throw new IllegalArgumentException("frame time must not be negative, got " + frameMs);
    }
    Objects.requireNonNull(image, "image");
  }
}
