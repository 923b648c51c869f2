package dev.imgsearch.job;

import static dev.imgsearch.job.testing.JobTestSupport.awaitCount;
import static dev.imgsearch.job.testing.JobTestSupport.copyPhotos;
import static dev.imgsearch.job.testing.JobTestSupport.jobArgs;
import static dev.imgsearch.job.testing.JobTestSupport.miniCluster;
import static dev.imgsearch.job.testing.JobTestSupport.openStore;
import static org.assertj.core.api.Assertions.assertThat;

import dev.imgsearch.core.config.MilvusConfig;
import dev.imgsearch.core.store.ImageIds;
import dev.imgsearch.core.store.ImageRecord;
import dev.imgsearch.core.store.MilvusImageStore;
import dev.imgsearch.core.testing.MilvusServerExtension;
import dev.imgsearch.core.testing.TestPhotos;
import dev.imgsearch.job.metrics.JobMetrics;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.FileTime;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.function.BooleanSupplier;
import org.apache.flink.api.common.JobID;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.core.execution.SavepointFormatType;
import org.apache.flink.metrics.Counter;
import org.apache.flink.runtime.jobgraph.SavepointRestoreSettings;
import org.apache.flink.runtime.testutils.InMemoryReporter;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.streaming.api.graph.StreamGraph;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Watch mode over a folder whose files change, disappear, come back and are renamed, on a
 * MiniCluster with the tiny encoder and a real Milvus; and the same events while the job is stopped
 * and restarted from a savepoint.
 */
@ExtendWith(MilvusServerExtension.class)
class FileLifecycleITCase {

  private static final InMemoryReporter METRICS = InMemoryReporter.createWithRetainedMetrics();
  private static final long DELETE_DELAY_MS = 1_500;

  @RegisterExtension static final MiniClusterExtension FLINK = miniCluster(2, METRICS);

  @TempDir Path source;
  @TempDir Path deadLetters;

  @Test
  void changedFilesAreEmbeddedAgainAndDeletedOnesLoseTheirRows(MilvusConfig milvus)
      throws Exception {
    List<Path> photos = copyPhotos(source);
    int n = photos.size();
    Path changed = source.resolve("coffee.jpg");
    Path deleted = source.resolve("astronaut.jpg");
    Path renamed = source.resolve("hubble.jpg");
    Path renamedTo = source.resolve("sub/hubble-renamed.jpg");
    JobClient job = launch(milvus).build().executeAsync();
    try (MilvusImageStore store = openStore(milvus)) {
      awaitCount(store, n, Duration.ofSeconds(90));
      ImageRecord before = row(store, changed);

      // Changed: other content under the same path, with a new mtime.
      replaceContent(changed, TestPhotos.named("chelsea.png").path(), before.mtimeMs() + 60_000);
      Files.delete(deleted);
      Files.createDirectories(renamedTo.getParent());
      Files.move(renamed, renamedTo);
      long deletedAt = System.currentTimeMillis();

      await(() -> rowOrNull(store, deleted) == null, "rows of the deleted file disappear");
      long tookMs = System.currentTimeMillis() - deletedAt;
      await(() -> rowOrNull(store, renamedTo) != null, "the renamed file is stored");
      // Its old path is a deletion too, possibly on another sink writer than the one above.
      await(() -> rowOrNull(store, renamed) == null, "the rename's old path loses its row");
      await(() -> sha256Of(changed).equals(storedSha(store, changed)), "the change is embedded");

      ImageRecord after = row(store, changed);
      assertThat(after.id()).isEqualTo(before.id());
      assertThat(after.mtimeMs()).isEqualTo(Files.getLastModifiedTime(changed).toMillis());
      assertThat(after.sizeBytes()).isEqualTo(Files.size(changed));
      assertThat(after.vector()).isNotEqualTo(before.vector());
      // At most the delay, plus a scan to notice and one to recheck, plus the sink's flush.
      assertThat(tookMs).isLessThan(DELETE_DELAY_MS + 8_000);
      assertThat(store.count()).isEqualTo(n - 1);

      // A deleted file that comes back is stored again: the sink's guard lets re-adds through.
      Files.copy(TestPhotos.named("astronaut.jpg").path(), deleted);
      await(() -> rowOrNull(store, deleted) != null, "the re-added file is stored");
      Thread.sleep(1_500); // a few more scans: nothing else may change
      assertThat(store.count()).isEqualTo(n);
      // Only what changed was read again: the changed file, the renamed one, the re-added one.
      lastJob = job.getJobID();
      assertThat(counter(JobMetrics.FILES_SEEN)).isEqualTo(n + 3);
    } finally {
      job.cancel().get();
    }
  }

  @Test
  void restartingFromASavepointNeitherLosesNorDuplicatesLifecycleEvents(
      MilvusConfig milvus, @TempDir Path savepoints) throws Exception {
    List<Path> photos = copyPhotos(source);
    int n = photos.size();
    Path deletedWhileRunning = source.resolve("dogs.jpg");
    Path deletedWhileStopped = source.resolve("astronaut.jpg");
    Path changedWhileStopped = source.resolve("coffee.jpg");
    Path addedWhileStopped = source.resolve("new/added.jpg");
    JobClient job = launch(milvus).build().executeAsync();
    String savepoint;
    ImageRecord before;
    try (MilvusImageStore store = openStore(milvus)) {
      awaitCount(store, n, Duration.ofSeconds(90));
      before = row(store, changedWhileStopped);
      // Gone just before the savepoint: its delete delay may still be running when it is taken.
      Files.delete(deletedWhileRunning);
      Thread.sleep(500);
      savepoint =
          job.stopWithSavepoint(false, savepoints.toUri().toString(), SavepointFormatType.CANONICAL)
              .get();
    }

    Files.delete(deletedWhileStopped);
    replaceContent(
        changedWhileStopped, TestPhotos.named("chelsea.png").path(), before.mtimeMs() + 60_000);
    Files.createDirectories(addedWhileStopped.getParent());
    Files.copy(TestPhotos.named("astronaut.jpg").path(), addedWhileStopped);

    StreamExecutionEnvironment env = launch(milvus).build().environment();
    StreamGraph graph = env.getStreamGraph();
    graph.setSavepointRestoreSettings(SavepointRestoreSettings.forPath(savepoint));
    JobClient restarted = env.executeAsync(graph);
    try (MilvusImageStore store = openStore(milvus)) {
      await(() -> rowOrNull(store, deletedWhileStopped) == null, "deleted while stopped");
      await(() -> rowOrNull(store, deletedWhileRunning) == null, "deleted before the savepoint");
      await(() -> rowOrNull(store, addedWhileStopped) != null, "added while stopped");
      await(
          () -> sha256Of(changedWhileStopped).equals(storedSha(store, changedWhileStopped)),
          "changed while stopped");
      Thread.sleep(2_000); // a few more scans: nothing else may arrive
      assertThat(store.count()).isEqualTo(n - 1);
      // The restored enumerator knew every other file's version: only two files were read.
      lastJob = restarted.getJobID();
      assertThat(counter(JobMetrics.FILES_SEEN)).isEqualTo(2);
    } finally {
      restarted.cancel().get();
    }
  }

  @Test
  void aWatchedFolderThatVanishesForAWhileDeletesNothing(MilvusConfig milvus) throws Exception {
    // An unmounted share looks like a folder whose files were all deleted; it must not act so.
    Path share = source.resolve("share");
    int n = copyPhotos(share).size();
    JobClient job = launch(milvus, share).build().executeAsync();
    try (MilvusImageStore store = openStore(milvus)) {
      awaitCount(store, n, Duration.ofSeconds(90));
      Path away = Files.move(share, source.resolve("unmounted"));
      Thread.sleep(DELETE_DELAY_MS + 3_000);
      assertThat(store.count()).as("rows while the folder is gone").isEqualTo(n);

      Files.move(away, share);
      Thread.sleep(1_500);
      assertThat(store.count()).isEqualTo(n);
      lastJob = job.getJobID();
      assertThat(counter(JobMetrics.FILES_SEEN)).as("files read").isEqualTo(n);
    } finally {
      job.cancel().get();
    }
  }

  // --- helpers -------------------------------------------------------------------------------

  private JobID lastJob;

  private IngestLaunch launch(MilvusConfig milvus) {
    return launch(milvus, source);
  }

  private IngestLaunch launch(MilvusConfig milvus, Path folder) {
    return IngestLaunch.of(
        jobArgs(
            milvus,
            folder,
            deadLetters,
            "watch",
            "--checkpoint-interval-ms",
            "500",
            "--delete-delay-ms",
            String.valueOf(DELETE_DELAY_MS)));
  }

  /** Overwrites {@code target} the way an editor saves: a new file renamed over the old one. */
  private static void replaceContent(Path target, Path content, long mtimeMs) throws Exception {
    Path tmp = target.resolveSibling("." + target.getFileName() + ".tmp");
    Files.copy(content, tmp);
    Files.setLastModifiedTime(tmp, FileTime.fromMillis(mtimeMs));
    Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
  }

  private static ImageRecord row(MilvusImageStore store, Path file) {
    ImageRecord row = rowOrNull(store, file);
    assertThat(row).as("row of " + file).isNotNull();
    return row;
  }

  private static ImageRecord rowOrNull(MilvusImageStore store, Path file) {
    List<ImageRecord> rows = store.get(List.of(ImageIds.of(file, ImageRecord.STILL_IMAGE)));
    return rows.isEmpty() ? null : rows.get(0);
  }

  /** The stored content hash; null while there is no row (a change replaces the old one). */
  private static String storedSha(MilvusImageStore store, Path file) {
    ImageRecord row = rowOrNull(store, file);
    return row == null ? null : row.contentSha256();
  }

  private static void await(BooleanSupplier condition, String what) throws InterruptedException {
    long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
    while (!condition.getAsBoolean()) {
      assertThat(System.nanoTime()).as("waiting for: " + what).isLessThan(deadline);
      Thread.sleep(100);
    }
  }

  private long counter(String name) {
    return METRICS.findMetrics(lastJob, name).values().stream()
        .mapToLong(m -> ((Counter) m).getCount())
        .sum();
  }

  private static String sha256Of(Path p) {
    try {
      return HexFormat.of()
          .formatHex(MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(p)));
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }
}
