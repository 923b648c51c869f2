package dev.imgsearch.core.video;

import dev.imgsearch.core.image.DecodeException;
import dev.imgsearch.core.image.RejectReason;

/**
 * Tells a damaged video from a complete one: damage is an error from FFmpeg, or an end more than
 * {@link #END_TOLERANCE_MS} before the length the container declares, or a file shorter than its
 * container says (a truncated copy). A cut within the last second is not told apart from a normal
 * end. Says where decoding stopped, and how many frames were sampled before.
 */
final class VideoDamage {

  /** How far the last frame may end before the declared length without the video being damaged. */
  static final long END_TOLERANCE_MS = 1000;

  private final long declaredMs;
  private final double frameRate;
  private final long fileBytes;
  private final long declaredBytes;
  private long lastDecodedMs = -1;

  /**
   * @param declaredMs the length the container declares; -1 when it declares none
   * @param declaredBytes the size the container's boxes add up to; 0 when unknown
   */
  VideoDamage(long declaredMs, double frameRate, long fileBytes, long declaredBytes) {
    this.declaredMs = declaredMs;
    this.frameRate = frameRate;
    this.fileBytes = fileBytes;
    this.declaredBytes = declaredBytes;
  }

  void decoded(long frameMs) {
    lastDecodedMs = Math.max(lastDecodedMs, frameMs);
  }

  long lastDecodedMs() {
    return lastDecodedMs;
  }

  long declaredMs() {
    return declaredMs;
  }

  /** At the end of the frames: the damage, or null for a complete video. */
  DecodeException atEnd(int sampled) {
    if (declaredBytes > fileBytes) {
      return stopped(
          "the file has " + fileBytes + " bytes, its container declares " + declaredBytes, sampled);
    }
    if (declaredMs <= 0) {
      return null;
    }
    long frameMs = frameRate > 0 ? Math.round(1000 / frameRate) : 0;
    long endMs = lastDecodedMs < 0 ? 0 : lastDecodedMs + frameMs;
    return endMs + END_TOLERANCE_MS < declaredMs ? stopped("the data ends early", sampled) : null;
  }

  /** Decoding stopped because of {@code why}, after {@code sampled} sampled frames. */
  DecodeException stopped(String why, int sampled) {
    String where =
        lastDecodedMs < 0
            ? "before its first frame"
            : "after the frame at " + FrameTime.format(lastDecodedMs);
    return new DecodeException(
        RejectReason.VIDEO_DAMAGED,
        "decoding stopped "
            + where
            + (declaredMs > 0 ? " of a declared " + FrameTime.format(declaredMs) : "")
            + ": "
            + why
            + "; "
            + sampled
            + (sampled == 1 ? " frame was" : " frames were")
            + " sampled before it");
  }
}
