package dev.imgsearch.core.video;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.imgsearch.core.image.DecodeException;
import dev.imgsearch.core.image.DecodedImage;
import dev.imgsearch.core.image.RejectReason;
import dev.imgsearch.core.testing.TestVideos;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import org.bytedeco.javacv.FFmpegFrameGrabber;
import org.bytedeco.javacv.Frame;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The sampler on real videos from Debian's opencv-doc: an H.264 MP4 and a Cinepak AVI. */
class VideoFrameSamplerTest {

  @TempDir Path tmp;

  /** One sampled frame as the tests compare it: its time and a hash of its pixels. */
  record Sample(long frameMs, int width, int height, String pixelsSha256) {}

  @ParameterizedTest
  @CsvSource({"cup.mp4, 1000", "cup.mp4, 500", "cup.mp4, 250", "tree.avi, 1000", "tree.avi, 3000"})
  void takesTheFirstFrameOfEveryIntervalThatHasOne(String video, long intervalMs) throws Exception {
    // Independently of the sampler: every frame time FFmpeg decodes, and the intervals they fill.
    List<Long> allTimes = allFrameTimes(TestVideos.path(video));
    List<Long> expected = new ArrayList<>();
    long lastBucket = -1;
    for (long t : allTimes) {
      if (t / intervalMs > lastBucket) {
        lastBucket = t / intervalMs;
        expected.add(t);
      }
    }

    List<Sample> samples =
        sample(TestVideos.path(video), VideoSampling.defaults().withIntervalMs(intervalMs));

    assertThat(samples).extracting(Sample::frameMs).containsExactlyElementsOf(expected);
    if (video.equals(TestVideos.H264_MP4)) {
      // A constant 26.78 fps fills every interval up to the last frame at 8.066 s.
      assertThat(allTimes).hasSize(TestVideos.H264_MP4_FRAMES);
      assertThat(samples).hasSize((int) (TestVideos.H264_MP4_LAST_FRAME_MS / intervalMs) + 1);
      assertThat(samples)
          .allSatisfy(s -> assertThat(s.width() + "x" + s.height()).isEqualTo("640x480"));
    }
  }

  @Test
  void anIntactVideoEndsWithoutDamage() throws Exception {
    for (String video : List.of(TestVideos.H264_MP4, TestVideos.CINEPAK_AVI)) {
      try (VideoFrameSampler sampler =
          VideoFrameSampler.open(TestVideos.path(video), VideoSampling.defaults())) {
        while (sampler.next() != null) {}
        assertThat(sampler.damage()).as(video).isEmpty();
        assertThat(sampler.declaredMs()).as(video).isPositive();
      }
    }
  }

  @Test
  void samplingTwiceGivesTheSameFramesAndPixels() throws Exception {
    VideoSampling sampling = VideoSampling.defaults();
    List<Sample> first = sample(TestVideos.path(TestVideos.H264_MP4), sampling);
    List<Sample> second = sample(TestVideos.path(TestVideos.H264_MP4), sampling);
    assertThat(second).isEqualTo(first);
    assertThat(first.stream().map(Sample::pixelsSha256).distinct()).hasSize(first.size());
  }

  @Test
  void capStopsAfterMaxFramesWithoutDamage() throws Exception {
    try (VideoFrameSampler sampler =
        VideoFrameSampler.open(
            TestVideos.path(TestVideos.H264_MP4), VideoSampling.defaults().withMaxFrames(3))) {
      List<Long> times = new ArrayList<>();
      for (VideoFrame f = sampler.next(); f != null; f = sampler.next()) {
        times.add(f.frameMs());
      }
      assertThat(times).hasSize(3).startsWith(0L);
      assertThat(sampler.damage()).isEmpty();
    }
  }

  @Test
  void nearDuplicateSkipKeepsOnlyFramesThatDifferEnoughFromTheLastKept() throws Exception {
    Path video = TestVideos.path(TestVideos.H264_MP4);
    List<VideoFrame> all = frames(video, VideoSampling.defaults().withIntervalMs(250));
    // The differences between consecutive samples of this real video, to pick a threshold in them.
    List<Double> steps = new ArrayList<>();
    for (int i = 1; i < all.size(); i++) {
      steps.add(
          FrameSignature.difference(
              FrameSignature.of(all.get(i).image()), FrameSignature.of(all.get(i - 1).image())));
    }
    double threshold = steps.stream().sorted().collect(Collectors.toList()).get(steps.size() / 2);

    List<VideoFrame> kept =
        frames(video, VideoSampling.defaults().withIntervalMs(250).withMinDifference(threshold));

    assertThat(kept.size()).isLessThan(all.size()).isGreaterThan(1);
    assertThat(kept.get(0).frameMs()).isZero();
    for (int i = 1; i < kept.size(); i++) {
      assertThat(
              FrameSignature.difference(
                  FrameSignature.of(kept.get(i).image()),
                  FrameSignature.of(kept.get(i - 1).image())))
          .isGreaterThanOrEqualTo(threshold);
    }
    // Kept frames are a subset of the plain samples, at the same times.
    assertThat(all.stream().map(VideoFrame::frameMs).collect(Collectors.toList()))
        .containsAll(kept.stream().map(VideoFrame::frameMs).collect(Collectors.toList()));
  }

  @Test
  void truncatedVideoYieldsTheFramesBeforeTheCutAndSaysWhereItStopped() throws Exception {
    Path video = TestVideos.truncated(TestVideos.H264_MP4, 0.5, tmp.resolve("cut.mp4"));
    List<Sample> intact = sample(TestVideos.path(TestVideos.H264_MP4), VideoSampling.defaults());

    List<Sample> got = new ArrayList<>();
    DecodeException damage;
    long lastDecoded;
    try (VideoFrameSampler sampler = VideoFrameSampler.open(video, VideoSampling.defaults())) {
      for (VideoFrame f = sampler.next(); f != null; f = sampler.next()) {
        got.add(sample(f));
      }
      damage = sampler.damage().orElseThrow();
      lastDecoded = sampler.lastDecodedMs();
    }

    // Half the bytes hold a little under half the 8 s: the frames at 0, 1, 2 and 3 s.
    assertThat(got).hasSizeBetween(2, intact.size() - 2);
    assertThat(got).isEqualTo(intact.subList(0, got.size()));
    assertThat(damage.reason()).isEqualTo(RejectReason.VIDEO_DAMAGED);
    assertThat(damage.detail())
        .contains("after the frame at " + FrameTime.format(lastDecoded))
        .contains("of a declared 00:08.")
        .contains("the file has 787975 bytes, its container declares 1575951")
        .contains(got.size() + " frames were sampled");
    assertThat(lastDecoded).isBetween(got.get(got.size() - 1).frameMs(), 5000L);
  }

  @Test
  void truncatedAviIsDamagedToo() throws Exception {
    Path video = TestVideos.truncated(TestVideos.CINEPAK_AVI, 0.5, tmp.resolve("cut.avi"));
    try (VideoFrameSampler sampler = VideoFrameSampler.open(video, VideoSampling.defaults())) {
      int n = 0;
      while (sampler.next() != null) {
        n++;
      }
      assertThat(n).isPositive();
      assertThat(sampler.damage()).isPresent();
      // Without its index FFmpeg takes the AVI for 14.8 s long; the RIFF header says otherwise.
      assertThat(sampler.damage().get().detail())
          .contains("the file has 625340 bytes, its container declares 1250680");
    }
  }

  @Test
  void videoCutBeforeItsFirstFrameYieldsNoFrameAndSaysSo() throws Exception {
    // 1% of cup.mp4 ends inside its index (moov), before any frame data.
    Path video = TestVideos.truncated(TestVideos.H264_MP4, 0.01, tmp.resolve("stub.mp4"));
    try (VideoFrameSampler sampler = VideoFrameSampler.open(video, VideoSampling.defaults())) {
      assertThat(sampler.next()).isNull();
      assertThat(sampler.damage().orElseThrow().detail())
          .contains("decoding stopped before its first frame")
          .contains("0 frames were sampled");
    }
  }

  @Test
  void videoWithoutItsHeaderCannotBeOpened() throws Exception {
    // The second half of a real AVI: frame data without the RIFF header FFmpeg needs to read it.
    Path whole = TestVideos.path(TestVideos.CINEPAK_AVI);
    byte[] bytes = Files.readAllBytes(whole);
    Path tail =
        Files.write(
            tmp.resolve("tail.avi"),
            java.util.Arrays.copyOfRange(bytes, bytes.length / 2, bytes.length));
    assertThatThrownBy(() -> VideoFrameSampler.open(tail, VideoSampling.defaults()))
        .isInstanceOfSatisfying(
            DecodeException.class,
            e -> {
              assertThat(e.reason()).isIn(RejectReason.VIDEO_DAMAGED, RejectReason.UNKNOWN_FORMAT);
              assertThat(e.detail()).isNotBlank();
            });
  }

  @Test
  void emptyFileAndTextNamedLikeAVideoAreRejected() throws Exception {
    Path empty = Files.createFile(tmp.resolve("empty.mp4"));
    assertThatThrownBy(() -> VideoFrameSampler.open(empty, VideoSampling.defaults()))
        .isInstanceOfSatisfying(
            DecodeException.class, e -> assertThat(e.reason()).isEqualTo(RejectReason.EMPTY));

    Path text = Files.writeString(tmp.resolve("notes.mkv"), "not a video at all\n".repeat(100));
    assertThatThrownBy(() -> VideoFrameSampler.open(text, VideoSampling.defaults()))
        .isInstanceOf(DecodeException.class);
  }

  @Test
  void frameAtReturnsTheSampledFrameAgain() throws Exception {
    Path video = TestVideos.path(TestVideos.H264_MP4);
    List<VideoFrame> frames = frames(video, VideoSampling.defaults());
    for (VideoFrame f : frames) {
      DecodedImage again = VideoFrameSampler.frameAt(video, f.frameMs());
      assertThat(sha256(again.rgb()))
          .as("frame at %d ms", f.frameMs())
          .isEqualTo(sha256(f.image().rgb()));
    }
    assertThatThrownBy(() -> VideoFrameSampler.frameAt(video, 60_000))
        .isInstanceOf(DecodeException.class)
        .hasMessageContaining("01:00.000");
  }

  @Test
  void extensionsAreMatchedCaseInsensitively() {
    VideoSampling s = VideoSampling.defaults();
    assertThat(s.isVideo("a.MP4")).isTrue();
    assertThat(s.isVideo("clip.webm")).isTrue();
    assertThat(s.isVideo("photo.jpg")).isFalse();
    assertThat(s.isVideo(".mp4")).isFalse();
    assertThat(new VideoSampling(Set.of(".MOV"), 1000, 0, 0).extensions()).containsExactly("mov");
    assertThatThrownBy(() -> s.withIntervalMs(0)).hasMessageContaining("frame interval");
    assertThatThrownBy(() -> s.withMinDifference(1.5)).hasMessageContaining("[0, 1)");
  }

  @Test
  void frameTimeIsMinutesSecondsMillis() {
    assertThat(FrameTime.format(0)).isEqualTo("00:00.000");
    assertThat(FrameTime.format(8066)).isEqualTo("00:08.066");
    assertThat(FrameTime.format(75 * 60_000 + 2345)).isEqualTo("75:02.345");
  }

  static List<Long> allFrameTimes(Path video) throws Exception {
    List<Long> times = new ArrayList<>();
    try (FFmpegFrameGrabber g = new FFmpegFrameGrabber(video.toFile())) {
      g.start();
      for (Frame f = g.grabImage(); f != null; f = g.grabImage()) {
        times.add(f.timestamp / 1000);
      }
    }
    return times;
  }

  static List<VideoFrame> frames(Path video, VideoSampling sampling) throws Exception {
    List<VideoFrame> out = new ArrayList<>();
    try (VideoFrameSampler sampler = VideoFrameSampler.open(video, sampling)) {
      for (VideoFrame f = sampler.next(); f != null; f = sampler.next()) {
        out.add(f);
      }
    }
    return out;
  }

  static List<Sample> sample(Path video, VideoSampling sampling) throws Exception {
    return frames(video, sampling).stream()
        .map(VideoFrameSamplerTest::sample)
        .collect(Collectors.toList());
  }

  static Sample sample(VideoFrame f) {
    return new Sample(f.frameMs(), f.image().width(), f.image().height(), sha256(f.image().rgb()));
  }

  static String sha256(byte[] data) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(data));
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }
}
