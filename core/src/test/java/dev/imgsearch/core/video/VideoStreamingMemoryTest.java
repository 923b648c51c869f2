package dev.imgsearch.core.video;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.bytedeco.ffmpeg.global.avcodec;
import org.bytedeco.ffmpeg.global.avutil;
import org.bytedeco.javacv.FFmpegFrameRecorder;
import org.bytedeco.javacv.Frame;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A video more than three times larger than the heap is sampled to its end: frames are streamed
 * from the file, never read whole. The video is uncompressed (raw RGB in AVI), so its size is its
 * pixels.
 */
class VideoStreamingMemoryTest {

  static final int WIDTH = 640;
  static final int HEIGHT = 480;
  static final int FRAMES = 200; // 200 x 640 x 480 x 3 = 184 MB
  static final String HEAP = "-Xmx48m";

  @TempDir Path tmp;

  @Test
  void videoLargerThanTheHeapIsSampledToItsEnd() throws Exception {
    Path video = tmp.resolve("raw.avi");
    writeRawVideo(video);
    assertThat(Files.size(video)).isGreaterThan(3L * 48 * 1024 * 1024);

    Path log = tmp.resolve("child.log");
    Process child =
        new ProcessBuilder(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                HEAP,
                "-cp",
                System.getProperty("java.class.path"),
                SampleToEnd.class.getName(),
                video.toString())
            .redirectErrorStream(true)
            .redirectOutput(log.toFile())
            .start();
    assertThat(child.waitFor(5, TimeUnit.MINUTES)).as("child JVM finished").isTrue();
    String output = Files.readString(log, StandardCharsets.UTF_8);
    assertThat(child.exitValue()).as(output).isZero();
    // 25 fps, one frame per second: 8 seconds, 8 frames, and no damage.
    assertThat(output).contains("sampled 8 of 200 frames, damage: none");
  }

  /** Run in a JVM with a small heap: samples a video and prints what it saw. */
  public static final class SampleToEnd {
    public static void main(String[] args) throws Exception {
      try (VideoFrameSampler sampler =
          VideoFrameSampler.open(Path.of(args[0]), VideoSampling.defaults())) {
        while (sampler.next() != null) {}
        System.out.println(
            "sampled "
                + sampler.framesEmitted()
                + " of "
                + sampler.framesDecoded()
                + " frames, damage: "
                + sampler.damage().map(e -> e.detail()).orElse("none"));
      }
    }
  }

  private static void writeRawVideo(Path file) throws IOException {
    try (FFmpegFrameRecorder recorder = new FFmpegFrameRecorder(file.toFile(), WIDTH, HEIGHT, 0)) {
      recorder.setFormat("avi");
      recorder.setVideoCodec(avcodec.AV_CODEC_ID_RAWVIDEO);
      recorder.setPixelFormat(avutil.AV_PIX_FMT_BGR24);
      recorder.setFrameRate(25);
      recorder.start();
      Frame frame = new Frame(WIDTH, HEIGHT, Frame.DEPTH_UBYTE, 3);
      ByteBuffer pixels = (ByteBuffer) frame.image[0];
      for (int i = 0; i < FRAMES; i++) {
        // A moving gradient, so that frames differ.
        for (int p = 0; p < pixels.capacity(); p++) {
          pixels.put(p, (byte) (p / 3 % WIDTH + i * 5));
        }
        recorder.record(frame);
      }
      recorder.stop();
    }
  }
}
