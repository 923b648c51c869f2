package dev.imgsearch.core.video;

import static org.bytedeco.ffmpeg.global.avutil.AVMEDIA_TYPE_VIDEO;
import static org.bytedeco.ffmpeg.global.avutil.AV_NOPTS_VALUE;
import static org.bytedeco.ffmpeg.global.avutil.AV_PIX_FMT_RGB24;

import dev.imgsearch.core.image.DecodeException;
import dev.imgsearch.core.image.DecodedImage;
import dev.imgsearch.core.image.ImageFormat;
import dev.imgsearch.core.image.NativeLibraries;
import dev.imgsearch.core.image.RejectReason;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Objects;
import org.bytedeco.ffmpeg.avformat.AVFormatContext;
import org.bytedeco.ffmpeg.avformat.AVStream;
import org.bytedeco.javacv.FFmpegFrameGrabber;
import org.bytedeco.javacv.Frame;
import org.bytedeco.javacv.FrameGrabber;

/**
 * One video opened with FFmpeg (JavaCV's grabber), decoding to RGB one frame at a time: FFmpeg
 * reads the file through its own small buffer and only the current frame is held. Opening checks
 * the file, and that it holds a video stream; frames come out as {@link DecodedImage}s.
 */
final class VideoGrabber implements AutoCloseable {

  static {
    NativeLibraries.ffmpeg();
  }

  private final FFmpegFrameGrabber grabber;

  private VideoGrabber(FFmpegFrameGrabber grabber) {
    this.grabber = grabber;
  }

  /**
   * @throws DecodeException when the file is missing or empty, FFmpeg cannot open it (the header is
   *     damaged, or a truncated MP4 lost its index), or it holds no video stream
   */
  static VideoGrabber open(Path file) throws DecodeException {
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
    return new VideoGrabber(grabber);
  }

  /** The next frame in decoding order, or null at the end; FFmpeg's errors are thrown. */
  Frame grab() throws FrameGrabber.Exception {
    return grabber.grabImage();
  }

  /** Moves to the key frame before {@code micros}; the next frames decode forward from there. */
  void seek(long micros) throws FrameGrabber.Exception {
    grabber.setVideoTimestamp(micros);
  }

  /** The video stream's declared length, else the container's; -1 when neither is known. */
  long declaredMs() {
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

  double frameRate() {
    return grabber.getFrameRate();
  }

  int width() {
    return grabber.getImageWidth();
  }

  int height() {
    return grabber.getImageHeight();
  }

  /** A grabbed RGB frame as an image of its own (the grabber reuses its buffer). */
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

  @Override
  public void close() {
    closeQuietly(grabber);
  }

  private static void closeQuietly(FFmpegFrameGrabber grabber) {
    try {
      grabber.close();
    } catch (FrameGrabber.Exception | RuntimeException e) {
      // Nothing useful to do: the file was only read.
    }
  }

  static String firstLine(String message) {
    if (message == null) {
      return "no message";
    }
    int nl = message.indexOf('\n');
    return (nl < 0 ? message : message.substring(0, nl)).strip();
  }
}
