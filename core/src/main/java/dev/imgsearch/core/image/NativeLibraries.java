package dev.imgsearch.core.image;

import static org.bytedeco.ffmpeg.global.avutil.AV_LOG_FATAL;

import org.bytedeco.ffmpeg.global.avcodec;
import org.bytedeco.ffmpeg.global.avformat;
import org.bytedeco.ffmpeg.global.avutil;
import org.bytedeco.ffmpeg.global.swscale;
import org.bytedeco.javacpp.Loader;
import org.bytedeco.javacpp.Pointer;
import org.bytedeco.opencv.global.opencv_core;

/**
 * Loads the native libraries the decoders use (OpenCV, and FFmpeg for videos and HEIF), once per
 * JVM, under JavaCPP's own class loader. JavaCPP starts its deallocator thread when it first loads,
 * and that thread keeps the context class loader of the thread that loaded it for the JVM's life:
 * on a Flink TaskManager that would be the first job's user-code class loader, pinned forever.
 */
public final class NativeLibraries {

  private static boolean opencv;
  private static boolean ffmpeg;

  private NativeLibraries() {}

  /** OpenCV, single-threaded: parallelism comes from operator subtasks. */
  public static synchronized void opencv() {
    if (!opencv) {
      underJavaCpp(() -> opencv_core.setNumThreads(1));
      opencv = true;
    }
  }

  /**
   * FFmpeg's libraries for reading files and decoding (not avdevice, which links against PulseAudio
   * and X11 and fails on a headless server), logging fatal errors only: a damaged file is reported
   * once, through its {@link DecodeException} and the dead-letter line, not through FFmpeg's own
   * lines on stderr (such as {@code [hevc @ 0x…] Invalid NAL unit size}), which name no file.
   */
  public static synchronized void ffmpeg() {
    if (!ffmpeg) {
      underJavaCpp(
          () -> {
            Loader.load(avutil.class);
            Loader.load(avcodec.class);
            Loader.load(avformat.class);
            Loader.load(swscale.class);
            avutil.av_log_set_level(AV_LOG_FATAL);
          });
      ffmpeg = true;
    }
  }

  private static void underJavaCpp(Runnable load) {
    Thread thread = Thread.currentThread();
    ClassLoader previous = thread.getContextClassLoader();
    thread.setContextClassLoader(Pointer.class.getClassLoader());
    try {
      load.run();
    } finally {
      thread.setContextClassLoader(previous);
    }
  }
}
