package dev.imgsearch.job.faults;

import static dev.imgsearch.job.testing.JobTestSupport.jobArgs;
import static dev.imgsearch.job.testing.JobTestSupport.openStore;
import static org.assertj.core.api.Assertions.assertThat;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import dev.imgsearch.core.config.MilvusConfig;
import dev.imgsearch.core.store.MilvusImageStore;
import dev.imgsearch.core.testing.MilvusServerExtension;
import dev.imgsearch.job.testing.SessionCluster;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 7, "Load": 10,000 images dropped at once (one rename of a prepared folder) into the folder
 * that a watch-mode job on a real session cluster watches, after a first 1,000 to warm it up. The
 * job must store them all; the test reports the TaskManager's peak heap and RSS, the throughput of
 * each 1,000-image window, and the checkpointed state against the number of files the source has
 * seen (the FileSource keeps every path it has seen in its enumerator's state).
 */
@ExtendWith(MilvusServerExtension.class)
class LoadSlowITCase {

  private static final int WARM_UP = 1_000;
  private static final int LOAD = 10_000;
  private static final int WINDOW = 1_000;

  /** The TaskManager's process size in scripts/flink-cluster.sh: its whole memory budget. */
  private static final long TM_PROCESS_MB = 1728;

  @TempDir Path work;

  @Test
  void tenThousandImagesDroppedAtOnceAreAllStoredWithBoundedMemoryAndSteadyThroughput(
      MilvusConfig milvus) throws Exception {
    Path source = Files.createDirectories(work.resolve("in"));
    Path staging = work.resolve("staging");
    Path deadLetters = work.resolve("dead-letters");
    SmallImages images = SmallImages.fromSamples();

    SessionCluster cluster = SessionCluster.start(work.resolve("cluster"), 2);
    List<CheckpointPoint> points = new ArrayList<>();
    Set<Long> seen = new HashSet<>();
    // Files in the watched folder from each time on (epoch ms), to label each checkpoint by the
    // folder as it was when the checkpoint was triggered.
    NavigableMap<Long, Integer> folder = new TreeMap<>(Map.of(0L, 0));
    try (cluster;
        MemorySampler memory = new MemorySampler(cluster);
        MilvusImageStore store = openStore(milvus)) {
      String job =
          cluster.submit(
              jobArgs(milvus, source, deadLetters, "watch", "--checkpoint-interval-ms", "2000"));
      cluster.awaitState(job, "RUNNING", Duration.ofSeconds(90));
      awaitCheckpointAfter(cluster, job, System.currentTimeMillis(), points, seen, folder, 0);

      // Warm-up: 1,000 files, so that the state is measured at 0, 1,000 and 11,000 files seen.
      // While the warm-up files are written: "up to 1,000" (negative marks it for the table).
      folder.put(System.currentTimeMillis(), -WARM_UP);
      List<Path> good = new ArrayList<>(images.write(source.resolve("warm-up"), 0, WARM_UP));
      folder.put(System.currentTimeMillis(), WARM_UP);
      awaitRows(store, WARM_UP, Duration.ofMinutes(10), cluster, job, points, seen, folder);
      awaitCheckpointAfter(cluster, job, System.currentTimeMillis(), points, seen, folder, WARM_UP);

      // The load: written outside the watched folder, then dropped in with one rename.
      List<Path> staged = images.write(staging.resolve("load"), WARM_UP, LOAD);
      folder.put(System.currentTimeMillis(), WARM_UP + LOAD);
      Files.move(staging.resolve("load"), source.resolve("load"), StandardCopyOption.ATOMIC_MOVE);
      for (Path p : staged) {
        good.add(source.resolve("load").resolve(staging.resolve("load").relativize(p)));
      }
      long tDrop = System.nanoTime();
      int total = WARM_UP + LOAD;

      // Rows every second; the time at which each 1,000-image window completes.
      List<Long> windowEndsNanos = new ArrayList<>();
      long tFirst = -1;
      long deadline = tDrop + Duration.ofMinutes(25).toNanos();
      long rows = WARM_UP;
      while (rows < total) {
        assertThat(System.nanoTime()).as("time to store %d rows", total).isLessThan(deadline);
        assertThat(cluster.state(job)).isEqualTo("RUNNING");
        Thread.sleep(1000);
        rows = store.count();
        long now = System.nanoTime();
        if (tFirst < 0 && rows > WARM_UP) {
          tFirst = now;
        }
        while (windowEndsNanos.size() < LOAD / WINDOW
            && rows >= WARM_UP + (long) (windowEndsNanos.size() + 1) * WINDOW) {
          windowEndsNanos.add(now);
        }
        recordCheckpoints(cluster, job, points, seen, folder, rows);
      }
      long loadMs = (System.nanoTime() - tDrop) / 1_000_000;
      awaitCheckpointAfter(cluster, job, System.currentTimeMillis(), points, seen, folder, total);
      assertThat(cluster.restarts(job)).as("job restarts under load").isZero();
      cluster.cancel(job);

      IngestAudit audit = IngestAudit.of(store, good, Map.of(), deadLetters);
      System.out.println(audit.format("load"));
      System.out.printf(
          "[load] %d images dropped at once: all stored %d ms after the drop (first new row after"
              + " %d ms), %.1f images/s overall%n",
          LOAD, loadMs, (tFirst - tDrop) / 1_000_000, LOAD * 1000.0 / loadMs);
      List<Double> rates = new ArrayList<>();
      long prev = tFirst;
      StringBuilder table = new StringBuilder("[load] window | images | seconds | images/s\n");
      for (int i = 0; i < windowEndsNanos.size(); i++) {
        double seconds = Math.max(1e-3, (windowEndsNanos.get(i) - prev) / 1e9);
        prev = windowEndsNanos.get(i);
        rates.add(WINDOW / seconds);
        table.append(
            String.format(
                "[load] %6d | %6d-%d | %7.1f | %8.1f%n",
                i + 1, i * WINDOW + 1, (i + 1) * WINDOW, seconds, WINDOW / seconds));
      }
      System.out.print(table);
      System.out.println("[load] " + memory.summary());
      long jm = cluster.jobManagerPid();
      System.out.printf(
          "[load] JobManager (where the FileSource enumerator keeps its set of seen paths): peak"
              + " RSS %d MB, RSS %d MB%n",
          MemorySampler.procStatusKb(jm, "VmHWM:") / 1024,
          MemorySampler.procStatusKb(jm, "VmRSS:") / 1024);
      printStateTable(points);

      assertThat(audit.lostGood()).as("good images without a row").isZero();
      assertThat(audit.duplicates()).as("duplicate rows").isZero();
      assertThat(audit.unexpected()).as("rows that are not good images").isZero();
      assertThat(audit.rowsScanned()).isEqualTo(total).isEqualTo(audit.countStar());
      assertThat(rates).hasSize(LOAD / WINDOW);
      double median = rates.stream().sorted().toList().get(rates.size() / 2);
      assertThat(rates.get(rates.size() - 1))
          .as(
              "images/s of the last window vs the median window %.1f (steady, not decaying)",
              median)
          .isGreaterThanOrEqualTo(0.5 * median);
      assertThat(memory.peakRssMb())
          .as("TaskManager peak RSS, MB, within its process size")
          .isLessThan(TM_PROCESS_MB);
    } catch (Throwable e) {
      cluster.dumpLogs(80);
      throw e;
    }
  }

  /**
   * The checkpoints measured on disk (a later one deletes its predecessor, so not all are), one per
   * 2,000 rows stored and per change in the number of files in the folder, and the last one. The
   * enumerator's state (every path seen, and the splits not yet assigned) is in _metadata; the
   * tasks' state (REST) is mostly images in flight in the embedding operator's queue.
   */
  private static void printStateTable(List<CheckpointPoint> points) {
    List<CheckpointPoint> measured =
        points.stream()
            .filter(p -> p.diskBytes() >= 0)
            .sorted(java.util.Comparator.comparingLong(CheckpointPoint::id))
            .toList();
    System.out.println(
        "[load] checkpoint | files in the folder | rows stored (when seen) | REST state size |"
            + " on disk (_metadata) | on disk (whole chk-N)");
    long lastBucket = -1;
    int lastFiles = -1;
    for (int i = 0; i < measured.size(); i++) {
      CheckpointPoint p = measured.get(i);
      long bucket = p.rows() / 2000;
      boolean lastOfGroup =
          i == measured.size() - 1 || measured.get(i + 1).filesSeen() != p.filesSeen();
      if (p.filesSeen() != lastFiles || bucket != lastBucket || lastOfGroup) {
        System.out.println("[load] " + p.row());
        lastFiles = p.filesSeen();
        lastBucket = bucket;
      }
    }
    System.out.printf(
        "[load] %d checkpoints; largest REST (task) state %s, largest _metadata %s%n",
        points.size(),
        CheckpointPoint.bytes(
            points.stream().mapToLong(CheckpointPoint::restStateBytes).max().orElse(0)),
        CheckpointPoint.bytes(
            measured.stream().mapToLong(CheckpointPoint::metadataBytes).max().orElse(0)));
  }

  private static void awaitRows(
      MilvusImageStore store,
      long expected,
      Duration timeout,
      SessionCluster cluster,
      String job,
      List<CheckpointPoint> points,
      Set<Long> seen,
      NavigableMap<Long, Integer> folder)
      throws Exception {
    long deadline = System.nanoTime() + timeout.toNanos();
    long rows;
    while ((rows = store.count()) < expected) {
      assertThat(System.nanoTime()).as("time to store %d rows", expected).isLessThan(deadline);
      recordCheckpoints(cluster, job, points, seen, folder, rows);
      Thread.sleep(1000);
    }
  }

  /** Waits for a checkpoint that completes after {@code afterMs} (epoch), recording it. */
  private static void awaitCheckpointAfter(
      SessionCluster cluster,
      String job,
      long afterMs,
      List<CheckpointPoint> points,
      Set<Long> seen,
      NavigableMap<Long, Integer> folder,
      long rows)
      throws Exception {
    long deadline = System.nanoTime() + Duration.ofMinutes(2).toNanos();
    while (true) {
      recordCheckpoints(cluster, job, points, seen, folder, rows);
      JsonElement latest = cluster.checkpoints(job).getAsJsonObject("latest").get("completed");
      if (latest != null
          && latest.isJsonObject()
          && latest.getAsJsonObject().get("trigger_timestamp").getAsLong() > afterMs) {
        return;
      }
      assertThat(System.nanoTime()).as("time to the next checkpoint").isLessThan(deadline);
      Thread.sleep(500);
    }
  }

  /** Records each newly completed checkpoint, with its size on disk while it still exists. */
  private static void recordCheckpoints(
      SessionCluster cluster,
      String job,
      List<CheckpointPoint> points,
      Set<Long> seen,
      NavigableMap<Long, Integer> folder,
      long rows)
      throws Exception {
    for (JsonElement e : cluster.checkpoints(job).getAsJsonArray("history")) {
      JsonObject c = e.getAsJsonObject();
      long id = c.get("id").getAsLong();
      if (!"COMPLETED".equals(c.get("status").getAsString()) || !seen.add(id)) {
        continue;
      }
      Path dir = cluster.checkpointDir(job).resolve("chk-" + id);
      points.add(
          new CheckpointPoint(
              id,
              folder.floorEntry(c.get("trigger_timestamp").getAsLong()).getValue(),
              rows,
              c.get("state_size").getAsLong(),
              sizeOf(dir.resolve("_metadata")),
              sizeOf(dir)));
    }
  }

  /** Bytes in a file or under a folder; -1 when it is gone (a newer checkpoint subsumed it). */
  private static long sizeOf(Path p) throws IOException {
    if (!Files.exists(p)) {
      return -1;
    }
    if (Files.isRegularFile(p)) {
      return Files.size(p);
    }
    try (Stream<Path> files = Files.walk(p)) {
      return files
          .filter(Files::isRegularFile)
          .mapToLong(
              f -> {
                try {
                  return Files.size(f);
                } catch (IOException gone) {
                  return 0;
                }
              })
          .sum();
    } catch (IOException | java.io.UncheckedIOException gone) {
      return -1;
    }
  }

  private record CheckpointPoint(
      long id, int filesSeen, long rows, long restStateBytes, long metadataBytes, long diskBytes) {
    String row() {
      return String.format(
          "%10d | %19s | %23d | %15s | %19s | %s",
          id,
          filesSeen < 0 ? "up to " + -filesSeen : Integer.toString(filesSeen),
          rows,
          bytes(restStateBytes),
          bytes(metadataBytes),
          bytes(diskBytes));
    }

    static String bytes(long b) {
      return b < 0 ? "(subsumed)" : String.format("%,d B", b);
    }
  }
}
