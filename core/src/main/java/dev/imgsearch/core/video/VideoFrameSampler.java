package dev.imgsearch.core.video;

import dev.imgsearch.core.image.DecodeException;
import dev.imgsearch.core.image.DecodedImage;
import dev.imgsearch.core.image.RejectReason;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Objects;
import java.util.Optional;
import org.bytedeco.javacv.Frame;
import org.bytedeco.javacv.FrameGrabber;

/**
 * Streams the sampled frames of one video: one frame per interval, capped, near-duplicates skipped
 * (see {@link VideoSampling}). The parts: {@link VideoGrabber} decodes with FFmpeg, {@link
 * FrameSignature} tells near-duplicates apart, {@link VideoDamage} tells a damaged video from a
 * complete one. Memory does not grow with the video: only the current frame is held.
 *
 * <p>A damaged video is data, not an error: {@link #next()} returns the frames that decode before
 * the damage, then null, and {@link #damage()} says where decoding stopped.
 *
 * <p>Not thread-safe: one sampler per thread, like a decoder.
 */
public final class VideoFrameSampler implements AutoCloseable {

  private final Path file;
  private final VideoSampling sampling;
  private final VideoGrabber grabber;
  private final VideoDamage damageCheck;

  private long lastBucket = -1;
  private int emitted;
  private int decoded;
  private byte[] lastSignature;
  private boolean finished;
  private DecodeException damage;

  private VideoFrameSampler(
      Path file, VideoSampling sampling, VideoGrabber grabber, VideoDamage damageCheck) {
    this.file = file;
    this.sampling = sampling;
    this.grabber = grabber;
    this.damageCheck = damageCheck;
  }

  /**
   * Opens a video for sampling.
   *
   * @throws DecodeException when the file is missing or empty, FFmpeg cannot open it (the header is
   *     damaged, or a truncated MP4 lost its index), or it holds no video stream
   */
  public static VideoFrameSampler open(Path file, VideoSampling sampling) throws DecodeException {
    Objects.requireNonNull(sampling, "sampling");
    VideoGrabber grabber = VideoGrabber.open(file);
    try {
      VideoDamage damage =
          new VideoDamage(
              grabber.declaredMs(),
              grabber.frameRate(),
              Files.size(file),
              ContainerSize.declaredBytes(file));
      return new VideoFrameSampler(file, sampling, grabber, damage);
    } catch (IOException e) {
      grabber.close();
      throw new DecodeException(RejectReason.UNREADABLE, file + ": " + e.getMessage(), e);
    }
  }

  /**
   * The frame shown at {@code frameMs}, as {@link #next()} reported it: the first frame whose time,
   * in whole milliseconds, is at least {@code frameMs}. Used to show a hit again at query time.
   */
  public static DecodedImage frameAt(Path file, long frameMs) throws DecodeException {
    if (frameMs < 0) {
      throw new IllegalArgumentException("frame time must not be negative, got " + frameMs);
    }
    try (VideoGrabber grabber = VideoGrabber.open(file)) {
      // Seeking lands on the key frame before the time and decodes forward to it; if the
      // container's index is off and it lands after the time, read from the start instead.
      grabber.seek(frameMs * 1000L);
      Frame frame = grabber.grab();
      if (frame == null || frame.timestamp / 1000 > frameMs) {
        grabber.seek(0);
        frame = grabber.grab();
      }
      while (frame != null && frame.timestamp / 1000 < frameMs) {
        frame = grabber.grab();
      }
      if (frame == null) {
        throw new DecodeException(
            RejectReason.VIDEO_DAMAGED,
            file + " has no frame at " + FrameTime.format(frameMs) + " (the video ends before)");
      }
      return VideoGrabber.toImage(frame);
    } catch (FrameGrabber.Exception | RuntimeException e) {
      throw new DecodeException(
          RejectReason.VIDEO_DAMAGED,
          file + " could not be decoded at " + FrameTime.format(frameMs) + ": " + e.getMessage(),
          e);
    }
  }

  /**
   * The next sampled frame, or null when the video ends, the cap is reached, or decoding stopped at
   * damage ({@link #damage()} then says where).
   */
  public VideoFrame next() {
    while (!finished) {
      if (sampling.maxFrames() > 0 && emitted >= sampling.maxFrames()) {
        finished = true;
        return null;
      }
      Frame frame;
      try {
        frame = grabber.grab();
      } catch (FrameGrabber.Exception | RuntimeException e) {
        finished = true;
        damage =
            damageCheck.stopped(
                "FFmpeg failed: " + VideoGrabber.firstLine(e.getMessage()), emitted);
        return null;
      }
      if (frame == null) {
        finished = true;
        damage = damageCheck.atEnd(emitted);
        return null;
      }
      decoded++;
      long frameMs = frame.timestamp / 1000;
      if (frameMs < 0) {
        continue;
      }
      damageCheck.decoded(frameMs);
      long bucket = frameMs / sampling.intervalMs();
      // Times only move forward: a decoder flushing a frame without a time at the end reports 0.
      if (bucket <= lastBucket) {
        continue;
      }
      lastBucket = bucket;
      DecodedImage image = VideoGrabber.toImage(frame);
      if (sampling.minDifference() > 0) {
        byte[] signature = FrameSignature.of(image);
        if (lastSignature != null
            && FrameSignature.difference(signature, lastSignature) < sampling.minDifference()) {
          continue;
        }
        lastSignature = signature;
      }
      emitted++;
      return new VideoFrame(frameMs, image);
    }
    return null;
  }

  /**
   * Why decoding stopped early, once {@link #next()} has returned null; empty after a clean end.
   */
  public Optional<DecodeException> damage() {
    return Optional.ofNullable(damage);
  }

  /** Frames returned so far. */
  public int framesEmitted() {
    return emitted;
  }

  /** Frames decoded so far, sampled or not. */
  public int framesDecoded() {
    return decoded;
  }

  /** The time of the last frame decoded so far; -1 before the first. */
  public long lastDecodedMs() {
    return damageCheck.lastDecodedMs();
  }

  /** The video's length as its container declares it; -1 when it declares none. */
  public long declaredMs() {
    return damageCheck.declaredMs();
  }

  public int width() {
    return grabber.width();
  }

  public int height() {
    return grabber.height();
  }

  @Override
  public void close() {
    finished = true;
    grabber.close();
  }

  @Override
  public String toString() {
    return "VideoFrameSampler{" + file + ", " + emitted + " frames}";
  }
}
