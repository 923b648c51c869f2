package dev.imgsearch.core.video;

import static org.bytedeco.ffmpeg.global.avutil.AVMEDIA_TYPE_VIDEO;
import static org.bytedeco.ffmpeg.global.avutil.AV_LOG_ERROR;
import static org.bytedeco.ffmpeg.global.avutil.AV_NOPTS_VALUE;
import static org.bytedeco.ffmpeg.global.avutil.AV_PIX_FMT_RGB24;

import dev.imgsearch.core.image.DecodeException;
import dev.imgsearch.core.image.DecodedImage;
import dev.imgsearch.core.image.ImageFormat;
import dev.imgsearch.core.image.RejectReason;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Objects;
import java.util.Optional;
import org.bytedeco.ffmpeg.avformat.AVFormatContext;
import org.bytedeco.ffmpeg.avformat.AVStream;
import org.bytedeco.ffmpeg.global.avcodec;
import org.bytedeco.ffmpeg.global.avformat;
import org.bytedeco.ffmpeg.global.avutil;
import org.bytedeco.ffmpeg.global.swscale;
import org.bytedeco.javacpp.Loader;
import org.bytedeco.javacpp.Pointer;
import org.bytedeco.javacv.FFmpegFrameGrabber;
import org.bytedeco.javacv.Frame;
import org.bytedeco.javacv.FrameGrabber;

/**
 * Streams the sampled frames of one video with FFmpeg (JavaCV's grabber): one frame per interval,
 * capped, near-duplicates skipped (see {@link VideoSampling}). FFmpeg reads the file through its
 * own small buffer and only the current frame is held, so memory does not grow with the video.
 *
 * <p>A damaged video is data, not an error: {@link #next()} returns the frames that decode before
 * the damage, then null, and {@link #damage()} says where decoding stopped. Damage is either an
 * error from FFmpeg or an end more than a second before the length the container declares (a
 * truncated file); a cut within the last second is not told apart from a normal end.
 *
 * <p>Not thread-safe: one sampler per thread, like a decoder.
 */
public final class VideoFrameSampler implements AutoCloseable {

  /** How far the last frame may end before the declared length without the video being damaged. */
  static final long END_TOLERANCE_MS = 1000;

  private static final int SIGNATURE_SIDE = 16;

  static {
    // As in ImageDecoder: load the natives under JavaCPP's class loader, so that JavaCPP's
    // deallocator thread does not pin a Flink job's user-code class loader.
    Thread thread = Thread.currentThread();
    ClassLoader previous = thread.getContextClassLoader();
    thread.setContextClassLoader(Pointer.class.getClassLoader());
    try {
      // Only the libraries the grabber reads files with: FFmpegFrameGrabber.tryLoad() would load
      // avdevice too, which links against PulseAudio and X11 and fails on a headless server.
      Loader.load(avutil.class);
      Loader.load(avcodec.class);
      Loader.load(avformat.class);
      Loader.load(swscale.class);
      // FFmpeg prints every file's stream table at INFO; errors are all the job needs to see.
      avutil.av_log_set_level(AV_LOG_ERROR);
    } finally {
      thread.setContextClassLoader(previous);
    }
  }

  private final Path file;
  private final VideoSampling sampling;
  private final FFmpegFrameGrabber grabber;
  private final long declaredMs;
  private final double frameRate;
  private final long fileBytes;
  private final long declaredBytes;

  private long lastBucket = -1;
  private long lastDecodedMs = -1;
  private int emitted;
  private int decoded;
  private byte[] lastSignature;
  private boolean finished;
  private DecodeException damage;

  private VideoFrameSampler(
      Path file,
      VideoSampling sampling,
      FFmpegFrameGrabber grabber,
      long fileBytes,
      long declaredBytes) {
    this.file = file;
    this.sampling = sampling;
    this.grabber = grabber;
    this.declaredMs = declaredVideoMs(grabber);
    this.frameRate = grabber.getFrameRate();
    this.fileBytes = fileBytes;
    this.declaredBytes = declaredBytes;
  }

  /**
   * Opens a video for sampling.
   *
   * @throws DecodeException when the file is missing or empty, FFmpeg cannot open it (the header is
   *     damaged, or a truncated MP4 lost its index), or it holds no video stream
   */
  public static VideoFrameSampler open(Path file, VideoSampling sampling) throws DecodeException {
    Objects.requireNonNull(sampling, "sampling");
    FFmpegFrameGrabber grabber = start(file);
    try {
      long declaredBytes = ContainerSize.declaredBytes(file);
      return new VideoFrameSampler(file, sampling, grabber, Files.size(file), declaredBytes);
    } catch (IOException e) {
      closeQuietly(grabber);
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
    FFmpegFrameGrabber grabber = start(file);
    try {
      // Seeking lands on the key frame before the time and decodes forward to it; if the
      // container's index is off and it lands after the time, read from the start instead.
      grabber.setVideoTimestamp(frameMs * 1000L);
      Frame frame = grabber.grabImage();
      if (frame == null || frame.timestamp / 1000 > frameMs) {
        grabber.setVideoTimestamp(0);
        frame = grabber.grabImage();
      }
      while (frame != null && frame.timestamp / 1000 < frameMs) {
        frame = grabber.grabImage();
      }
      if (frame == null) {
        throw new DecodeException(
            RejectReason.VIDEO_DAMAGED,
            file + " has no frame at " + FrameTime.format(frameMs) + " (the video ends before)");
      }
      return toImage(frame);
    } catch (FrameGrabber.Exception | RuntimeException e) {
      throw new DecodeException(
          RejectReason.VIDEO_DAMAGED,
          file + " could not be decoded at " + FrameTime.format(frameMs) + ": " + e.getMessage(),
          e);
    } finally {
      closeQuietly(grabber);
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
        frame = grabber.grabImage();
      } catch (FrameGrabber.Exception | RuntimeException e) {
        stopAtDamage("FFmpeg failed: " + firstLine(e.getMessage()));
        return null;
      }
      if (frame == null) {
        checkEnd();
        return null;
      }
      decoded++;
      long frameMs = frame.timestamp / 1000;
      if (frameMs < 0) {
        continue;
      }
      lastDecodedMs = Math.max(lastDecodedMs, frameMs);
      long bucket = frameMs / sampling.intervalMs();
      // Times only move forward: a decoder flushing a frame without a time at the end reports 0.
      if (bucket <= lastBucket) {
        continue;
      }
      lastBucket = bucket;
      DecodedImage image = toImage(frame);
      if (sampling.minDifference() > 0) {
        byte[] signature = signature(image);
        if (lastSignature != null
            && difference(signature, lastSignature) < sampling.minDifference()) {
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
    return lastDecodedMs;
  }

  /** The video's length as its container declares it; -1 when it declares none. */
  public long declaredMs() {
    return declaredMs;
  }

  public int width() {
    return grabber.getImageWidth();
  }

  public int height() {
    return grabber.getImageHeight();
  }

  @Override
  public void close() {
    finished = true;
    closeQuietly(grabber);
  }

  private void checkEnd() {
    finished = true;
    if (declaredBytes > fileBytes) {
      stopAtDamage("the file has " + fileBytes + " bytes, its container declares " + declaredBytes);
      return;
    }
    if (declaredMs <= 0) {
      return;
    }
    long frameMs = frameRate > 0 ? Math.round(1000 / frameRate) : 0;
    long endMs = lastDecodedMs < 0 ? 0 : lastDecodedMs + frameMs;
    if (endMs + END_TOLERANCE_MS < declaredMs) {
      stopAtDamage("the data ends early");
    }
  }

  private void stopAtDamage(String why) {
    finished = true;
    String where =
        lastDecodedMs < 0
            ? "before its first frame"
            : "after the frame at " + FrameTime.format(lastDecodedMs);
    damage =
        new DecodeException(
            RejectReason.VIDEO_DAMAGED,
            "decoding stopped "
                + where
                + (declaredMs > 0 ? " of a declared " + FrameTime.format(declaredMs) : "")
                + ": "
                + why
                + "; "
                + emitted
                + (emitted == 1 ? " frame was" : " frames were")
                + " sampled before it");
  }

  private static FFmpegFrameGrabber start(Path file) throws DecodeException {
    Objects.requireNonNull(file, "file");
    long size;
    try {
      size = Files.size(file);
    } catch (IOException e) {
      throw new DecodeException(RejectReason.UNREADABLE, file + ": " + e.getMessage(), e);
    }
    if (size == 0) {
      throw new DecodeException(RejectReason.EMPTY, "video file has 0 bytes");
    }
    if (!Files.isReadable(file)) {
      throw new DecodeException(RejectReason.UNREADABLE, "permission denied");
    }
    FFmpegFrameGrabber grabber = new FFmpegFrameGrabber(file.toFile());
    grabber.setPixelFormat(AV_PIX_FMT_RGB24);
    // Parallelism comes from operator subtasks; FFmpeg's own threads would oversubscribe cores.
    grabber.setVideoOption("threads", "1");
    try {
      grabber.start();
    } catch (FrameGrabber.Exception | RuntimeException e) {
      closeQuietly(grabber);
      throw new DecodeException(
          RejectReason.VIDEO_DAMAGED,
          "FFmpeg cannot open the video ("
              + firstLine(e.getMessage())
              + "); a truncated MP4 or MOV loses its index, which many files keep at the end;"
              + " no frames were read",
          e);
    }
    if (!grabber.hasVideo() || grabber.getImageWidth() <= 0 || grabber.getImageHeight() <= 0) {
      closeQuietly(grabber);
      throw new DecodeException(
          RejectReason.UNKNOWN_FORMAT, "the file holds no video stream FFmpeg can decode");
    }
    return grabber;
  }

  /** The video stream's declared length, else the container's; -1 when neither is known. */
  private static long declaredVideoMs(FFmpegFrameGrabber grabber) {
    AVFormatContext context = grabber.getFormatContext();
    for (int i = 0; i < context.nb_streams(); i++) {
      AVStream stream = context.streams(i);
      if (stream.codecpar().codec_type() == AVMEDIA_TYPE_VIDEO
          && stream.duration() != AV_NOPTS_VALUE
          && stream.duration() > 0) {
        return stream.duration() * 1000L * stream.time_base().num() / stream.time_base().den();
      }
    }
    long micros = grabber.getLengthInTime();
    return micros > 0 ? micros / 1000 : -1;
  }

  static DecodedImage toImage(Frame frame) {
    int width = frame.imageWidth;
    int height = frame.imageHeight;
    if (frame.imageChannels != 3 || frame.imageDepth != Frame.DEPTH_UBYTE) {
      throw new IllegalStateException(
          "FFmpeg returned " + frame.imageChannels + " channels of depth " + frame.imageDepth);
    }
    ByteBuffer buffer = ((ByteBuffer) frame.image[0]).duplicate();
    int rowBytes = width * 3;
    int stride = frame.imageStride;
    byte[] rgb = new byte[rowBytes * height];
    for (int y = 0; y < height; y++) {
      buffer.position(y * stride);
      buffer.get(rgb, y * rowBytes, rowBytes);
    }
    return new DecodedImage(rgb, width, height, ImageFormat.VIDEO_FRAME);
  }

  /** A 16x16 grey thumbnail by block averages: enough to tell a cut from a still scene. */
  static byte[] signature(DecodedImage image) {
    int w = image.width();
    int h = image.height();
    byte[] rgb = image.rgb();
    byte[] out = new byte[SIGNATURE_SIDE * SIGNATURE_SIDE];
    for (int by = 0; by < SIGNATURE_SIDE; by++) {
      int y0 = by * h / SIGNATURE_SIDE;
      int y1 = Math.max(y0 + 1, (by + 1) * h / SIGNATURE_SIDE);
      for (int bx = 0; bx < SIGNATURE_SIDE; bx++) {
        int x0 = bx * w / SIGNATURE_SIDE;
        int x1 = Math.max(x0 + 1, (bx + 1) * w / SIGNATURE_SIDE);
        long sum = 0;
        int n = 0;
        for (int y = y0; y < y1; y++) {
          int p = (y * w + x0) * 3;
          for (int x = x0; x < x1; x++, p += 3) {
            // Integer luma (BT.601), as cheap as it gets.
            sum += (299 * (rgb[p] & 0xff) + 587 * (rgb[p + 1] & 0xff) + 114 * (rgb[p + 2] & 0xff));
            n++;
          }
        }
        out[by * SIGNATURE_SIDE + bx] = (byte) (sum / (1000L * n));
      }
    }
    return out;
  }

  /** Mean absolute difference of two signatures, 0 (same) to 1. */
  static double difference(byte[] a, byte[] b) {
    long sum = 0;
    for (int i = 0; i < a.length; i++) {
      sum += Math.abs((a[i] & 0xff) - (b[i] & 0xff));
    }
    return sum / (255.0 * a.length);
  }

  private static void closeQuietly(FFmpegFrameGrabber grabber) {
    try {
      grabber.close();
    } catch (FrameGrabber.Exception | RuntimeException e) {
      // Nothing useful to do: the file was only read.
    }
  }

  private static String firstLine(String message) {
    if (message == null) {
      return "no message";
    }
    int nl = message.indexOf('\n');
    return (nl < 0 ? message : message.substring(0, nl)).strip();
  }

  @Override
  public String toString() {
    return "VideoFrameSampler{" + file + ", " + emitted + " frames}";
  }
}
