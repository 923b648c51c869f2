package dev.imgsearch.job.faults;

import static dev.imgsearch.job.testing.JobTestSupport.jobArgs;
import static dev.imgsearch.job.testing.JobTestSupport.openStore;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.google.gson.JsonObject;
import dev.imgsearch.core.config.MilvusConfig;
import dev.imgsearch.core.store.MilvusImageStore;
import dev.imgsearch.core.testing.MilvusServerExtension;
import dev.imgsearch.core.testing.MilvusTestServer;
import dev.imgsearch.job.testing.SessionCluster;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 7, "Milvus stopped": a 2,000-image once-mode ingest on a real session cluster; part-way
 * through, the Milvus server process is stopped for 30 s, then started again on the same port and
 * data directory. The sink's upsert must retry with backoff (a WARN per attempt in the
 * TaskManager's log), hold its rows and backpressure the pipeline meanwhile, and carry on once
 * Milvus is back: every good image stored once, no job restart, and a log line saying that it
 * recovered.
 */
@ExtendWith(MilvusServerExtension.class)
class MilvusOutageSlowITCase {

  private static final int GOOD = 2_000;
  private static final int BROKEN_PER_KIND = 5;
  private static final Duration OUTAGE = Duration.ofSeconds(30);

  /** MilvusWriter's watchdog: the SDK waits for an unreachable server up to its RPC deadline. */
  private static final Pattern WAITING_WARN =
      Pattern.compile("WARN .*Upsert of \\d+ rows into '.*' at .* still waiting after \\d+ s");

  private static final Pattern RECOVERED =
      Pattern.compile("Upsert of \\d+ rows into '.*' at .* went through after \\d+ ms");

  /** Retrier: a failed attempt (after the RPC deadline, or a refused connection). */
  private static final Pattern RETRY_WARN =
      Pattern.compile("WARN .* on Milvus .* failed \\(attempt \\d+\\), retrying in \\d+ ms");

  @TempDir Path work;

  @Test
  void theSinkBacksOffWhileMilvusIsDownAndResumesWithNothingLostOrDuplicated(
      MilvusConfig milvus, MilvusTestServer server) throws Exception {
    assumeTrue(server.canRestart(), "an external MILVUS_URI server cannot be stopped here");
    Path source = work.resolve("in");
    Path deadLetters = work.resolve("dead-letters");
    SmallImages images = SmallImages.fromSamples();
    List<Path> good = images.write(source, 0, GOOD);
    Map<String, String> broken = images.writeBroken(source, BROKEN_PER_KIND);

    SessionCluster cluster = SessionCluster.start(work.resolve("cluster"), 2);
    try (cluster;
        MemorySampler memory = new MemorySampler(cluster);
        MilvusImageStore store = openStore(milvus)) {
      long t0 = System.nanoTime();
      String job =
          cluster.submit(
              jobArgs(milvus, source, deadLetters, "once", "--checkpoint-interval-ms", "1000"));
      long rowsAtStop;
      long deadline = System.nanoTime() + Duration.ofMinutes(5).toNanos();
      while ((rowsAtStop = store.count()) < GOOD / 4) {
        assertThat(cluster.state(job)).isIn("CREATED", "INITIALIZING", "RUNNING");
        assertThat(System.nanoTime()).as("time to reach %d rows", GOOD / 4).isLessThan(deadline);
        Thread.sleep(1000);
      }
      String embed = cluster.vertex(job, "embed");
      String decode = cluster.vertex(job, "decode");
      String sink = cluster.vertex(job, "upsert");

      JsonObject countsAtStop = cluster.checkpoints(job).getAsJsonObject("counts");
      server.stop();
      long tStop = System.nanoTime();
      System.out.printf(
          "[milvus-outage] Milvus stopped at %d rows, %d ms after submission%n",
          rowsAtStop, ms(t0));
      double embedBackPressure = 0;
      double decodeBackPressure = 0;
      double sinkBusy = 0;
      while (System.nanoTime() - tStop < OUTAGE.toNanos()) {
        assertThat(cluster.state(job)).as("job state while Milvus is down").isEqualTo("RUNNING");
        embedBackPressure =
            Math.max(
                embedBackPressure,
                cluster.maxSubtaskMetric(job, embed, "backPressuredTimeMsPerSecond"));
        decodeBackPressure =
            Math.max(
                decodeBackPressure,
                cluster.maxSubtaskMetric(job, decode, "backPressuredTimeMsPerSecond"));
        sinkBusy = Math.max(sinkBusy, cluster.maxSubtaskMetric(job, sink, "busyTimeMsPerSecond"));
        Thread.sleep(1000);
      }
      JsonObject countsAtStart = cluster.checkpoints(job).getAsJsonObject("counts");
      server.start();
      long tStart = System.nanoTime();
      System.out.printf(
          "[milvus-outage] checkpoints while Milvus was down: completed %d -> %d, failed %d -> %d,"
              + " in progress at the end %d (a checkpoint waits for the sink's requests in flight)%n",
          countsAtStop.get("completed").getAsLong(),
          countsAtStart.get("completed").getAsLong(),
          countsAtStop.get("failed").getAsLong(),
          countsAtStart.get("failed").getAsLong(),
          countsAtStart.get("in_progress").getAsLong());
      System.out.printf(
          "[milvus-outage] Milvus started again after %d ms down; during the outage, max"
              + " backPressuredTimeMsPerSecond: embed %.0f, decode %.0f; sink busyTimeMsPerSecond"
              + " %.0f%n",
          (tStart - tStop) / 1_000_000, embedBackPressure, decodeBackPressure, sinkBusy);

      cluster.awaitState(job, "FINISHED", Duration.ofMinutes(8));
      long restarts = cluster.restarts(job);
      IngestAudit audit = IngestAudit.of(store, good, broken, deadLetters);
      List<String> log = Files.readAllLines(cluster.taskManagerLog(), StandardCharsets.UTF_8);
      List<String> waiting = log.stream().filter(l -> WAITING_WARN.matcher(l).find()).toList();
      List<String> recovered = log.stream().filter(l -> RECOVERED.matcher(l).find()).toList();
      List<String> retries = log.stream().filter(l -> RETRY_WARN.matcher(l).find()).toList();
      System.out.println(audit.format("milvus-outage"));
      System.out.printf(
          "[milvus-outage] job FINISHED %d ms after submission, %d ms after Milvus came back;"
              + " restarts %d; TaskManager log: %d 'still waiting' WARN lines, %d 'went through'"
              + " lines, %d retry WARN lines%n",
          ms(t0), ms(tStart), restarts, waiting.size(), recovered.size(), retries.size());
      Stream.of(waiting, recovered, retries)
          .flatMap(List::stream)
          .forEach(l -> System.out.println("[milvus-outage] log: " + l));
      System.out.println("[milvus-outage] " + memory.summary());

      assertThat(waiting)
          .as("WARN lines: an upsert waiting for Milvus, input paused (TaskManager log)")
          .isNotEmpty();
      assertThat(recovered).as("a line saying that the upsert went through again").isNotEmpty();
      assertThat(restarts)
          .as("job restarts: the sink waits out a 30 s outage (RPC deadline 60 s, then retries)")
          .isZero();
      assertThat(Math.max(embedBackPressure, decodeBackPressure))
          .as("backpressure upstream of the blocked sink, ms per second")
          .isGreaterThan(0);
      assertThat(audit.lostGood()).as("good images without a row").isZero();
      assertThat(audit.duplicates()).as("duplicate rows").isZero();
      assertThat(audit.unexpected()).as("rows that are not good images").isZero();
      assertThat(audit.rowsScanned()).isEqualTo(GOOD).isEqualTo(audit.countStar());
      assertThat(audit.rejectsByReason()).isEqualTo(SmallImages.countByReason(broken));
    } catch (Throwable e) {
      cluster.dumpLogs(80);
      throw e;
    } finally {
      // A failed assertion mid-outage must not leave the rest of the JVM's tests without Milvus.
      startQuietly(server);
    }
  }

  /**
   * Issue 13: the sink never blocks the task thread for minutes. With Milvus down the writer waits
   * for its requests on the task's mailbox, where Flink's cancellation reaches it: a watch-mode job
   * whose sink is stuck on an unreachable Milvus is cancelled in seconds, not after the retries.
   */
  @Test
  void aJobWhoseSinkWaitsForMilvusIsCancelledWithinSeconds(
      MilvusConfig milvus, MilvusTestServer server) throws Exception {
    assumeTrue(server.canRestart(), "an external MILVUS_URI server cannot be stopped here");
    Path source = work.resolve("in");
    Path deadLetters = work.resolve("dead-letters");
    List<Path> good = SmallImages.fromSamples().write(source, 0, 400);

    SessionCluster cluster = SessionCluster.start(work.resolve("cluster"), 2);
    try (cluster;
        MilvusImageStore store = openStore(milvus)) {
      String job =
          cluster.submit(
              jobArgs(milvus, source, deadLetters, "watch", "--checkpoint-interval-ms", "1000"));
      long deadline = System.nanoTime() + Duration.ofMinutes(4).toNanos();
      while (store.count() < 20) {
        assertThat(System.nanoTime()).as("time to the first rows").isLessThan(deadline);
        Thread.sleep(500);
      }
      server.stop();
      String sink = cluster.vertex(job, "upsert");
      long down = System.nanoTime();
      double sinkBusy = 0;
      while (System.nanoTime() - down < Duration.ofSeconds(15).toNanos()) {
        sinkBusy = Math.max(sinkBusy, cluster.maxSubtaskMetric(job, sink, "busyTimeMsPerSecond"));
        Thread.sleep(1000);
      }
      JsonObject counts = cluster.checkpoints(job).getAsJsonObject("counts");
      long t0 = System.nanoTime();
      cluster.cancel(job);
      long cancelMs = ms(t0);
      System.out.printf(
          "[milvus-outage] cancel with Milvus down 15 s: CANCELED after %d ms; sink busy up to"
              + " %.0f ms/s; checkpoints: %d completed, %d failed, %d in progress; %d of %d rows"
              + " were stored before the outage%n",
          cancelMs,
          sinkBusy,
          counts.get("completed").getAsLong(),
          counts.get("failed").getAsLong(),
          counts.get("in_progress").getAsLong(),
          rowsBefore(store, server),
          good.size());
      assertThat(cluster.state(job)).isEqualTo("CANCELED");
      assertThat(cancelMs).as("ms from cancel to CANCELED with Milvus down").isLessThan(10_000);
    } catch (Throwable e) {
      cluster.dumpLogs(80);
      throw e;
    } finally {
      startQuietly(server);
    }
  }

  /** Rows in Milvus, read after starting it again (the count is for the log line only). */
  private static long rowsBefore(MilvusImageStore store, MilvusTestServer server) {
    startQuietly(server);
    return store.count();
  }

  private static void startQuietly(MilvusTestServer server) {
    try {
      server.start();
    } catch (IllegalStateException alreadyRunning) {
      // Started above; the script refuses a second start.
    }
  }

  private static long ms(long sinceNanos) {
    return (System.nanoTime() - sinceNanos) / 1_000_000;
  }
}
