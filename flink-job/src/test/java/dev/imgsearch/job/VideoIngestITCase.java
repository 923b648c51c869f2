package dev.imgsearch.job;

import static dev.imgsearch.job.testing.JobTestSupport.jobArgs;
import static dev.imgsearch.job.testing.JobTestSupport.miniCluster;
import static dev.imgsearch.job.testing.JobTestSupport.openStore;
import static org.assertj.core.api.Assertions.assertThat;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.imgsearch.core.config.MilvusConfig;
import dev.imgsearch.core.store.ImageIds;
import dev.imgsearch.core.store.ImageRecord;
import dev.imgsearch.core.store.MilvusImageStore;
import dev.imgsearch.core.testing.MilvusServerExtension;
import dev.imgsearch.core.testing.TestPhotos;
import dev.imgsearch.core.testing.TestVideos;
import dev.imgsearch.core.video.VideoFrame;
import dev.imgsearch.core.video.VideoFrameSampler;
import dev.imgsearch.core.video.VideoSampling;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Videos in the watched folder on a MiniCluster with a real Milvus: real opencv-doc videos (an
 * H.264 MP4, a Cinepak AVI), a truncated copy, and a photo beside them.
 */
@ExtendWith(MilvusServerExtension.class)
class VideoIngestITCase {

  @RegisterExtension static final MiniClusterExtension FLINK = miniCluster(2, null);

  @TempDir Path source;
  @TempDir Path deadLetters;

  @Test
  void everyIntervalBecomesARowWithStableIdsAndADamagedVideoKeepsItsEarlyFrames(MilvusConfig milvus)
      throws Exception {
    Path mp4 = Files.copy(TestVideos.path(TestVideos.H264_MP4), source.resolve("cup.mp4"));
    Files.createDirectories(source.resolve("clips"));
    Path avi =
        Files.copy(TestVideos.path(TestVideos.CINEPAK_AVI), source.resolve("clips/tree.AVI"));
    Path cut = TestVideos.truncated(TestVideos.H264_MP4, 0.5, source.resolve("clips/cut.mp4"));
    Path photo = Files.copy(TestPhotos.named("coffee.jpg").path(), source.resolve("coffee.jpg"));

    // What the sampler alone makes of each video (VideoFrameSamplerTest checks it on its own).
    Map<Long, String> mp4Frames = frames(mp4);
    Map<Long, String> aviFrames = frames(avi);
    Map<Long, String> cutFrames = frames(cut);
    assertThat(mp4Frames).hasSize((int) (TestVideos.H264_MP4_LAST_FRAME_MS / 1000) + 1);
    assertThat(cutFrames).hasSizeBetween(2, mp4Frames.size() - 2);
    int expectedRows = mp4Frames.size() + aviFrames.size() + cutFrames.size() + 1;

    JobSummary first = runOnce(milvus);

    assertThat(first.filesSeen()).isEqualTo(4);
    assertThat(first.embedded()).isEqualTo(expectedRows);
    assertThat(first.rejectedByReason()).containsExactly(Map.entry("VIDEO_DAMAGED", 1L));
    List<JsonObject> letters = deadLetters();
    assertThat(letters).hasSize(1);
    assertThat(letters.get(0).get("path").getAsString()).isEqualTo(abs(cut));
    assertThat(letters.get(0).get("detail").getAsString())
        .startsWith("decoding stopped after the frame at 00:03.")
        .contains(cutFrames.size() + " frames were sampled before it");

    Map<String, ImageRecord> rows;
    try (MilvusImageStore store = openStore(milvus)) {
      rows = all(store);
    }
    assertThat(rows).hasSize(expectedRows);
    assertVideoRows(rows, mp4, mp4Frames, 640, 480);
    assertVideoRows(rows, avi, aviFrames, 320, 240);
    assertVideoRows(rows, cut, cutFrames, 640, 480);
    assertThat(rows).containsKey(ImageIds.ofNormalized(abs(photo), -1));

    // Ingest the same folder again: the same ids, so upserts replace rows and add none.
    JobSummary second = runOnce(milvus);
    assertThat(second.embedded()).isEqualTo(expectedRows);
    try (MilvusImageStore store = openStore(milvus)) {
      assertThat(store.count()).isEqualTo(expectedRows);
      assertThat(all(store).keySet()).isEqualTo(rows.keySet());
    }
  }

  @Test
  void intervalAndCapAreOptions(MilvusConfig milvus) throws Exception {
    Path mp4 = Files.copy(TestVideos.path(TestVideos.H264_MP4), source.resolve("cup.mp4"));

    JobSummary summary =
        runOnce(milvus, "--frame-interval-ms", "500", "--max-frames-per-video", "5");

    assertThat(summary.embedded()).isEqualTo(5);
    try (MilvusImageStore store = openStore(milvus)) {
      List<Long> times = all(store).values().stream().map(ImageRecord::frameMs).sorted().toList();
      assertThat(times).hasSize(5);
      for (int i = 0; i < times.size(); i++) {
        assertThat(times.get(i) / 500).as("frame %d falls in interval %d", i, i).isEqualTo(i);
      }
    }
    assertThat(frames(mp4, VideoSampling.defaults().withIntervalMs(500)).keySet()).startsWith(0L);
  }

  @Test
  void videoExtensionsCanBeTurnedOff(MilvusConfig milvus) throws Exception {
    Files.copy(TestVideos.path(TestVideos.H264_MP4), source.resolve("cup.mp4"));
    Files.copy(TestPhotos.named("coffee.jpg").path(), source.resolve("coffee.jpg"));

    JobSummary summary = runOnce(milvus, "--video-extensions=");

    // Not a video and not an image extension: the file is not even listed.
    assertThat(summary.filesSeen()).isEqualTo(1);
    assertThat(summary.embedded()).isEqualTo(1);
  }

  private void assertVideoRows(
      Map<String, ImageRecord> rows, Path video, Map<Long, String> frames, int w, int h)
      throws IOException {
    String path = abs(video);
    for (Map.Entry<Long, String> f : frames.entrySet()) {
      ImageRecord row = rows.get(ImageIds.ofNormalized(path, f.getKey()));
      assertThat(row).as("row of %s at %d ms", video.getFileName(), f.getKey()).isNotNull();
      assertThat(row.filepath()).isEqualTo(path);
      assertThat(row.frameMs()).isEqualTo(f.getKey());
      assertThat(row.contentSha256()).as("hash of the frame's pixels").isEqualTo(f.getValue());
      assertThat(row.width()).isEqualTo(w);
      assertThat(row.height()).isEqualTo(h);
      assertThat(row.sizeBytes()).isEqualTo(Files.size(video));
    }
    assertThat(rows.values().stream().filter(r -> r.filepath().equals(path)).count())
        .isEqualTo(frames.size());
  }

  private static Map<Long, String> frames(Path video) throws Exception {
    return frames(video, VideoSampling.defaults());
  }

  /** Frame time to the SHA-256 of its RGB pixels. */
  private static Map<Long, String> frames(Path video, VideoSampling sampling) throws Exception {
    Map<Long, String> out = new LinkedHashMap<>();
    try (VideoFrameSampler sampler = VideoFrameSampler.open(video, sampling)) {
      for (VideoFrame f = sampler.next(); f != null; f = sampler.next()) {
        out.put(
            f.frameMs(),
            HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(f.image().rgb())));
      }
    }
    return out;
  }

  private static Map<String, ImageRecord> all(MilvusImageStore store) {
    Map<String, ImageRecord> out = new TreeMap<>();
    store.scan(100, batch -> batch.forEach(r -> out.put(r.id(), r)));
    return out;
  }

  private JobSummary runOnce(MilvusConfig milvus, String... extra) throws Exception {
    return JobSummary.from(
        IngestLaunch.of(jobArgs(milvus, source, deadLetters, "once", extra)).build().execute());
  }

  private List<JsonObject> deadLetters() throws IOException {
    try (Stream<Path> files = Files.list(deadLetters)) {
      List<JsonObject> out = new ArrayList<>();
      for (Path f : files.collect(Collectors.toList())) {
        for (String line : Files.readAllLines(f, StandardCharsets.UTF_8)) {
          out.add(JsonParser.parseString(line).getAsJsonObject());
        }
      }
      return out;
    }
  }

  private static String abs(Path p) {
    return p.toAbsolutePath().normalize().toString();
  }
}
