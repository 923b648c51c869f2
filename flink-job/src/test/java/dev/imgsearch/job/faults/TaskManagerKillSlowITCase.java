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
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 7, "TaskManager killed": a 2,000-image once-mode ingest on a real session cluster, with
 * checkpoints every second; part-way through, the TaskManager is killed with SIGKILL and a new one
 * started (both through scripts/flink-cluster.sh). The job must restart from its last checkpoint on
 * the new TaskManager and finish with exactly one row per good image: the records between that
 * checkpoint and the kill are read and upserted again, under the same ids.
 */
@ExtendWith(MilvusServerExtension.class)
class TaskManagerKillSlowITCase {

  private static final int GOOD = 2_000;
  private static final int BROKEN_PER_KIND = 5;

  @TempDir Path work;

  @Test
  void aKilledTaskManagerRestartsTheJobFromItsCheckpointAndNothingIsLostOrDuplicated(
      MilvusConfig milvus) throws Exception {
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

      // Kill once a quarter of the rows are in and a checkpoint has completed.
      long deadline = System.nanoTime() + Duration.ofMinutes(5).toNanos();
      long rowsAtKill;
      while (true) {
        rowsAtKill = store.count();
        if (rowsAtKill >= GOOD / 4 && cluster.completedCheckpoints(job) >= 1) {
          break;
        }
        assertThat(cluster.state(job))
            .as("the job must still be running when the TaskManager is killed")
            .isIn("CREATED", "INITIALIZING", "RUNNING");
        assertThat(System.nanoTime()).as("time to reach %d rows", GOOD / 4).isLessThan(deadline);
        Thread.sleep(1000);
      }
      JsonObject lastCheckpoint =
          cluster.checkpoints(job).getAsJsonObject("latest").getAsJsonObject("completed");
      long killedPid = cluster.taskManagerPid();
      long killedHwmMb = MemorySampler.procStatusKb(killedPid, "VmHWM:") / 1024;
      String killed = cluster.killTaskManager();
      long tKill = System.nanoTime();
      System.out.printf(
          "[tm-kill] %s at %d rows after %d ms; last completed checkpoint %d; killed TM peak RSS"
              + " %d MB%n",
          killed, rowsAtKill, ms(t0), lastCheckpoint.get("id").getAsLong(), killedHwmMb);

      String started = cluster.startTaskManager();
      System.out.printf("[tm-kill] %s (%d ms after the kill)%n", started, ms(tKill));
      cluster.awaitState(job, "FINISHED", Duration.ofMinutes(8));
      long totalMs = ms(t0);

      JsonObject checkpoints = cluster.checkpoints(job);
      JsonElement restored = checkpoints.getAsJsonObject("latest").get("restored");
      long restarts = cluster.restarts(job);
      IngestAudit audit = IngestAudit.of(store, good, broken, deadLetters);
      System.out.println(audit.format("tm-kill"));
      System.out.printf(
          "[tm-kill] job FINISHED %d ms after submission, %d ms after the kill; restarts %d;"
              + " restored from checkpoint %s%n",
          totalMs, ms(tKill), restarts, restored);
      System.out.println("[tm-kill] " + memory.summary());

      assertThat(restarts)
          .as("restarts after the TaskManager was killed")
          .isGreaterThanOrEqualTo(1);
      assertThat(restored)
          .as("the job restored from a checkpoint (GET /jobs/:id/checkpoints latest.restored)")
          .isNotNull()
          .matches(JsonElement::isJsonObject);
      assertThat(restored.getAsJsonObject().get("is_savepoint").getAsBoolean()).isFalse();
      assertThat(audit.lostGood()).as("good images without a row").isZero();
      assertThat(audit.duplicates()).as("duplicate rows").isZero();
      assertThat(audit.unexpected()).as("rows that are not good images").isZero();
      assertThat(audit.rowsScanned()).isEqualTo(GOOD).isEqualTo(audit.countStar());
      // The restart replays files read since the last checkpoint, rejected ones too: still one
      // dead-letter line per rejected file.
      assertThat(audit.deadLetterLines())
          .as("dead-letter lines after a restart")
          .isEqualTo(audit.rejects());
      assertThat(audit.rejectsByReason())
          .as("each broken file rejected for its reason (deduplicated by path)")
          .isEqualTo(SmallImages.countByReason(broken));
    } catch (Throwable e) {
      cluster.dumpLogs(80);
      throw e;
    }
  }

  private static long ms(long sinceNanos) {
    return (System.nanoTime() - sinceNanos) / 1_000_000;
  }
}
