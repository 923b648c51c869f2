package dev.imgsearch.job.sink;

import static dev.imgsearch.job.testing.JobTestSupport.miniCluster;
import static org.assertj.core.api.Assertions.assertThat;

import dev.imgsearch.core.config.MilvusConfig;
import dev.imgsearch.core.store.CollectionSpec;
import dev.imgsearch.core.store.ImageIds;
import dev.imgsearch.core.store.ImageRecord;
import dev.imgsearch.core.store.MilvusImageStore;
import dev.imgsearch.core.testing.MilvusServerExtension;
import dev.imgsearch.job.metrics.JobMetrics;
import dev.imgsearch.job.testing.JobTestSupport;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Random;
import org.apache.flink.api.common.JobExecutionResult;
import org.apache.flink.metrics.Counter;
import org.apache.flink.runtime.testutils.InMemoryReporter;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * The sink applies a file's changes in order, and drops rows of a removed version that arrive after
 * the removal: a fixed sequence of changes through a real job into a real Milvus.
 */
@ExtendWith(MilvusServerExtension.class)
class MilvusSinkITCase {

  private static final InMemoryReporter METRICS = InMemoryReporter.createWithRetainedMetrics();
  private static final int DIM = 32;

  @RegisterExtension static final MiniClusterExtension FLINK = miniCluster(1, METRICS);

  @TempDir Path dir;

  @Test
  void appliesChangesInOrderAndDropsRowsOfRemovedVersions(MilvusConfig milvus) throws Exception {
    Path deleted = dir.resolve("deleted.jpg"); // never on disk: its file is gone
    Path readded = Files.writeString(dir.resolve("readded.jpg"), "back again");
    Path changed = dir.resolve("changed.jpg");
    Path plain = dir.resolve("plain.jpg");
    List<RowChange> changes =
        List.of(
            RowChange.upsert(row(deleted, 1)),
            RowChange.upsert(row(readded, 1)),
            RowChange.upsert(row(changed, 1)),
            RowChange.deleteFile(norm(deleted)),
            RowChange.deleteFile(norm(readded)),
            RowChange.deleteOtherVersions(norm(changed), 5),
            // Stragglers of the removed versions, and rows written after the removals.
            RowChange.upsert(row(deleted, 1)),
            RowChange.upsert(row(changed, 4)),
            RowChange.upsert(row(readded, 2)),
            RowChange.upsert(row(changed, 5)),
            RowChange.upsert(row(plain, 1)));

    JobTestSupport.openStore(milvus).close(); // what planning the job does: create the collection
    StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
    env.setParallelism(1);
    env.fromData(RowChange.class, changes.toArray(RowChange[]::new))
        .keyBy(RowChange::path)
        .sinkTo(
            MilvusSink.builder()
                .setConnection(milvus)
                .setCollection(CollectionSpec.forDimension(DIM))
                .setMaxBatchRows(100)
                .setMaxBufferTime(Duration.ofSeconds(10))
                .build());
    JobExecutionResult result = env.execute("sink order");

    try (MilvusImageStore store = JobTestSupport.openStore(milvus)) {
      assertThat(get(store, deleted)).as("a deleted file's straggler").isNull();
      assertThat(get(store, readded).mtimeMs()).as("a re-added file").isEqualTo(2);
      assertThat(get(store, changed).mtimeMs()).as("a changed file").isEqualTo(5);
      assertThat(get(store, plain)).isNotNull();
      assertThat(store.count()).isEqualTo(3);
    }
    assertThat(counter(result, JobMetrics.STALE_ROWS_DROPPED)).isEqualTo(2);
    assertThat(counter(result, JobMetrics.FILES_DELETED)).isEqualTo(2);
  }

  private static ImageRecord get(MilvusImageStore store, Path file) {
    List<ImageRecord> rows = store.get(List.of(ImageIds.of(file, ImageRecord.STILL_IMAGE)));
    return rows.isEmpty() ? null : rows.get(0);
  }

  private static String norm(Path p) {
    return ImageIds.normalize(p);
  }

  private static ImageRecord row(Path file, long mtimeMs) {
    Random random = new Random(mtimeMs * 31 + file.hashCode());
    float[] vector = new float[DIM];
    for (int i = 0; i < DIM; i++) {
      vector[i] = (float) random.nextGaussian();
    }
    return ImageRecord.of(
        file,
        ImageRecord.STILL_IMAGE,
        vector,
        "0".repeat(63) + mtimeMs,
        100,
        8,
        8,
        mtimeMs,
        "test-model",
        System.currentTimeMillis());
  }

  private static long counter(JobExecutionResult result, String name) {
    return METRICS.findMetrics(result.getJobID(), name).values().stream()
        .mapToLong(m -> ((Counter) m).getCount())
        .sum();
  }
}
