package dev.imgsearch.job;

import static dev.imgsearch.job.testing.JobTestSupport.awaitCount;
import static dev.imgsearch.job.testing.JobTestSupport.copyPhotos;
import static dev.imgsearch.job.testing.JobTestSupport.copySamples;
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
import dev.imgsearch.job.metrics.JobMetrics;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.apache.flink.api.common.JobExecutionResult;
import org.apache.flink.api.common.JobID;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.core.execution.SavepointFormatType;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.Gauge;
import org.apache.flink.runtime.jobgraph.SavepointRestoreSettings;
import org.apache.flink.runtime.testutils.InMemoryReporter;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.streaming.api.graph.StreamGraph;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/** The whole job on a MiniCluster, with the tiny encoder and a real Milvus. */
@ExtendWith(MilvusServerExtension.class)
class IngestJobITCase {

  private static final InMemoryReporter METRICS = InMemoryReporter.createWithRetainedMetrics();

  @RegisterExtension static final MiniClusterExtension FLINK = miniCluster(2, METRICS);

  @TempDir Path source;
  @TempDir Path deadLetters;

  @Test
  void onceModeStoresEveryImageWithItsMetadata(MilvusConfig milvus) throws Exception {
    List<Path> images = copyPhotos(source.resolve("nested/deeper"));
    images.addAll(copySamples(source, 24));

    JobSummary summary = runOnce(milvus);

    assertThat(summary.filesSeen()).isEqualTo(images.size());
    assertThat(summary.embedded()).isEqualTo(images.size());
    assertThat(summary.rejected()).isZero();
    assertThat(summary.rowsUpserted()).isEqualTo(images.size());
    // Batching really happens: decoders outpace inference, so batches fill up.
    long batches = counter(JobMetrics.INFERENCE_BATCHES);
    assertThat(counter(JobMetrics.IMAGES_EMBEDDED)).isEqualTo(images.size());
    assertThat((double) images.size() / batches).as("average batch size").isGreaterThan(1.0);

    try (MilvusImageStore store = openStore(milvus)) {
      assertThat(store.count()).isEqualTo(images.size());
      Path photo = source.resolve("nested/deeper/dandelion_exif6.jpg");
      String path = photo.toAbsolutePath().normalize().toString();
      List<ImageRecord> rows = store.get(List.of(ImageIds.ofNormalized(path, -1)));
      assertThat(rows).hasSize(1);
      ImageRecord row = rows.get(0);
      assertThat(row.filepath()).isEqualTo(path);
      assertThat(row.width()).isEqualTo(640); // EXIF orientation applied
      assertThat(row.height()).isEqualTo(427);
      assertThat(row.sizeBytes()).isEqualTo(Files.size(photo));
      assertThat(row.mtimeMs()).isEqualTo(Files.getLastModifiedTime(photo).toMillis());
      assertThat(row.contentSha256()).isEqualTo(sha256(photo));
      assertThat(row.frameMs()).isEqualTo(-1);
      assertThat(row.model()).startsWith("tiny-encoder-seed0@");
      assertThat(row.vector()).hasSize(32);
    }
  }

  @Test
  void badFilesGoToTheDeadLetterOutputAndGoodOnesAreAllStored(MilvusConfig milvus)
      throws Exception {
    List<Path> good = copyPhotos(source);
    byte[] jpeg = Files.readAllBytes(good.get(0));
    Files.write(source.resolve("truncated.jpg"), Arrays.copyOf(jpeg, jpeg.length / 2));
    Files.write(source.resolve("empty.jpg"), new byte[0]);
    Files.writeString(source.resolve("notes.png"), "this is text, not a picture");
    Files.write(source.resolve("noise.jpg"), noise(5000));
    Files.createDirectories(source.resolve("folder.jpg")); // a directory with an image's name
    Files.write(source.resolve(".hidden.jpg"), jpeg); // skipped: hidden
    Files.write(source.resolve("_partial.jpg"), jpeg); // skipped: temporary name
    Files.writeString(source.resolve("readme.txt"), "not an image extension");
    // A path longer than the collection's filepath field (1024 bytes) must not fail the job.
    Path deep = source;
    for (int i = 0; i < 5; i++) {
      deep = deep.resolve(String.valueOf((char) ('a' + i)).repeat(240));
    }
    Files.createDirectories(deep);
    Path longPath = Files.write(deep.resolve("long.jpg"), jpeg);
    // Make the broken files old enough not to be taken for files still being copied.
    for (String name : List.of("truncated.jpg", "empty.jpg")) {
      Files.setLastModifiedTime(
          source.resolve(name),
          java.nio.file.attribute.FileTime.fromMillis(System.currentTimeMillis() - 60_000));
    }

    JobSummary summary = runOnce(milvus);

    assertThat(summary.embedded()).isEqualTo(good.size());
    assertThat(summary.rejectedByReason())
        .containsExactlyInAnyOrderEntriesOf(
            Map.of("TRUNCATED", 1L, "EMPTY", 1L, "UNKNOWN_FORMAT", 2L, "PATH_TOO_LONG", 1L));
    assertThat(summary.filesSeen()).isEqualTo(summary.embedded() + summary.rejected());
    try (MilvusImageStore store = openStore(milvus)) {
      assertThat(store.count()).isEqualTo(good.size());
    }
    Map<String, String> reasons = deadLetterReasons();
    assertThat(reasons)
        .containsEntry(abs("truncated.jpg"), "TRUNCATED")
        .containsEntry(abs("empty.jpg"), "EMPTY")
        .containsEntry(abs("notes.png"), "UNKNOWN_FORMAT")
        .containsEntry(abs("noise.jpg"), "UNKNOWN_FORMAT")
        .containsEntry(longPath.toAbsolutePath().normalize().toString(), "PATH_TOO_LONG")
        .hasSize(5);
  }

  @Test
  void reRunningOverTheSameFolderUpsertsWithoutDuplicates(MilvusConfig milvus) throws Exception {
    List<Path> images = copyPhotos(source);
    List<String> expectedIds =
        images.stream()
            .map(p -> ImageIds.ofNormalized(p.toAbsolutePath().normalize().toString(), -1))
            .sorted()
            .toList();
    runOnce(milvus);
    List<String> idsAfterFirst;
    try (MilvusImageStore store = openStore(milvus)) {
      idsAfterFirst = storedIds(store);
    }
    assertThat(idsAfterFirst).isEqualTo(expectedIds);
    // A fresh start without a savepoint re-reads the folder: the same ids are upserted again.
    JobSummary second = runOnce(milvus);
    assertThat(second.rowsUpserted()).isEqualTo(images.size());
    try (MilvusImageStore store = openStore(milvus)) {
      assertThat(store.count()).isEqualTo(images.size());
      assertThat(storedIds(store)).as("ids after the second run").isEqualTo(idsAfterFirst);
    }
  }

  /** Every id in the collection, read back row by row, sorted (duplicates would show). */
  private static List<String> storedIds(MilvusImageStore store) {
    List<String> ids = new ArrayList<>();
    store.scan(100, page -> page.forEach(r -> ids.add(r.id())));
    ids.sort(null);
    return ids;
  }

  @Test
  void watchModePicksUpFilesDroppedWhileItRuns(MilvusConfig milvus) throws Exception {
    List<Path> first = copyPhotos(source.resolve("a"));
    JobClient job = launch(milvus, "watch", "--checkpoint-interval-ms", "500").executeAsync();
    try (MilvusImageStore store = openStore(milvus)) {
      awaitCount(store, first.size(), Duration.ofSeconds(90));
      // Drop more files the way producers should: write under a hidden name, then rename.
      List<Path> dropped = new ArrayList<>();
      Path target = Files.createDirectories(source.resolve("b"));
      for (Path p : copySamples(Files.createTempDirectory("staging"), 5)) {
        Path tmp = target.resolve("." + p.getFileName() + ".tmp");
        Files.copy(p, tmp);
        dropped.add(Files.move(tmp, target.resolve(p.getFileName())));
      }
      awaitCount(store, first.size() + dropped.size(), Duration.ofSeconds(60));
      assertThat(store.count()).isEqualTo(first.size() + dropped.size());
    } finally {
      job.cancel().get();
    }
  }

  @Test
  void twoInferenceSessionsEmbedEveryImageOnce(MilvusConfig milvus) throws Exception {
    List<Path> images = copySamples(source, 20);

    JobSummary summary = runOnce(milvus, "--inference-sessions", "2");

    assertThat(summary.embedded()).isEqualTo(images.size());
    assertThat(summary.rowsUpserted()).isEqualTo(images.size());
    assertThat(counter(JobMetrics.IMAGES_EMBEDDED)).isEqualTo(images.size());
    assertThat(METRICS.findMetrics(lastJob, JobMetrics.INFERENCE_SESSIONS).values())
        .singleElement()
        .satisfies(gauge -> assertThat(((Gauge<?>) gauge).getValue()).isEqualTo(2));
    try (MilvusImageStore store = openStore(milvus)) {
      assertThat(store.count()).isEqualTo(images.size());
    }
  }

  @Test
  void restartingFromASavepointNeitherReReadsNorDuplicates(
      MilvusConfig milvus, @TempDir Path savepoints) throws Exception {
    List<Path> first = copyPhotos(source.resolve("a"));
    JobClient job = launch(milvus, "watch", "--checkpoint-interval-ms", "500").executeAsync();
    String savepoint;
    try (MilvusImageStore store = openStore(milvus)) {
      awaitCount(store, first.size(), Duration.ofSeconds(90));
      savepoint =
          job.stopWithSavepoint(false, savepoints.toUri().toString(), SavepointFormatType.CANONICAL)
              .get();
    }

    List<Path> added = copySamples(source.resolve("b"), 5);
    StreamExecutionEnvironment env =
        launch(milvus, "watch", "--checkpoint-interval-ms", "500").environment();
    StreamGraph graph = env.getStreamGraph();
    graph.setSavepointRestoreSettings(SavepointRestoreSettings.forPath(savepoint));
    JobClient restarted = env.executeAsync(graph);
    try (MilvusImageStore store = openStore(milvus)) {
      awaitCount(store, first.size() + added.size(), Duration.ofSeconds(90));
      Thread.sleep(2_000); // a few more monitor rounds: nothing else may arrive
      assertThat(store.count()).isEqualTo(first.size() + added.size());
      // The restored source remembered the files it had read: only the new ones were read.
      lastJob = restarted.getJobID();
      assertThat(counter(JobMetrics.FILES_SEEN)).isEqualTo(added.size());
    } finally {
      restarted.cancel().get();
    }
  }

  @Test
  void aFileStillBeingCopiedIsReadAgainOnceItSettles(MilvusConfig milvus) throws Exception {
    JobClient job =
        launch(milvus, "watch", "--checkpoint-interval-ms", "500", "--settle-ms", "1500")
            .executeAsync();
    try (MilvusImageStore store = openStore(milvus)) {
      // A copy in progress, under its final name: the first half now, the rest a moment later.
      byte[] photo = Files.readAllBytes(TestPhotos.named("coffee.jpg").path());
      Path target = source.resolve("arriving.jpg");
      Files.write(target, Arrays.copyOf(photo, photo.length / 2));
      Thread.sleep(800); // the source lists it half-written
      Files.write(target, photo);
      awaitCount(store, 1, Duration.ofSeconds(60));
      ImageRecord row = store.get(List.of(ImageIds.ofNormalized(abs("arriving.jpg"), -1))).get(0);
      assertThat(row.sizeBytes()).isEqualTo(photo.length);
      assertThat(row.contentSha256()).isEqualTo(sha256(target));
    } finally {
      job.cancel().get();
    }
    assertThat(deadLettersExist() ? deadLetterReasons() : Map.of()).isEmpty();
  }

  // --- helpers -------------------------------------------------------------------------------

  private JobID lastJob;

  private JobSummary runOnce(MilvusConfig milvus, String... extra) throws Exception {
    JobExecutionResult result = launch(milvus, "once", extra).execute();
    lastJob = result.getJobID();
    return JobSummary.from(result);
  }

  /** A counter of the last job, summed over its subtasks. */
  private long counter(String name) {
    return METRICS.findMetrics(lastJob, name).values().stream()
        .mapToLong(m -> ((Counter) m).getCount())
        .sum();
  }

  /** The job as the command line asks for it, built on the MiniCluster's environment. */
  private IngestLaunch launch(MilvusConfig milvus, String mode, String... extra) {
    return IngestLaunch.of(jobArgs(milvus, source, deadLetters, mode, extra)).build();
  }

  private boolean deadLettersExist() throws IOException {
    try (Stream<Path> files = Files.list(deadLetters)) {
      return files.findAny().isPresent();
    }
  }

  private Map<String, String> deadLetterReasons() throws IOException {
    try (Stream<Path> files = Files.list(deadLetters)) {
      return files
          .flatMap(
              f -> {
                try {
                  return Files.readAllLines(f, StandardCharsets.UTF_8).stream();
                } catch (IOException e) {
                  throw new java.io.UncheckedIOException(e);
                }
              })
          .map(line -> JsonParser.parseString(line).getAsJsonObject())
          .collect(
              Collectors.toMap(
                  (JsonObject o) -> o.get("path").getAsString(),
                  o -> o.get("reason").getAsString()));
    }
  }

  private String abs(String name) {
    return source.resolve(name).toAbsolutePath().normalize().toString();
  }

  private static String sha256(Path p) throws Exception {
    return HexFormat.of()
        .formatHex(MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(p)));
  }

  private static byte[] noise(int n) {
    byte[] b = new byte[n];
    new java.util.Random(5).nextBytes(b);
    b[0] = 0x13;
    return b;
  }
}
