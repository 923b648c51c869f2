package dev.imgsearch.job.sink;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assumptions.assumeThat;

import dev.imgsearch.core.config.MilvusConfig;
import dev.imgsearch.core.store.CollectionSpec;
import dev.imgsearch.core.store.ImageIds;
import dev.imgsearch.core.store.ImageRecord;
import dev.imgsearch.core.store.MilvusImageStore;
import dev.imgsearch.core.store.StoreOptions;
import dev.imgsearch.core.testing.MilvusServerExtension;
import dev.imgsearch.core.testing.MilvusTestServer;
import dev.imgsearch.core.testing.TestRows;
import dev.imgsearch.job.testing.JobTestSupport;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.apache.flink.api.connector.sink2.SinkWriter;
import org.apache.flink.connector.base.sink.writer.TestSinkInitContext;
import org.apache.flink.streaming.runtime.tasks.TestProcessingTimeService;
import org.apache.flink.util.FlinkRuntimeException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The sink writer driven directly, as Flink's sink operator drives it, against a real Milvus:
 * Flink's {@link TestSinkInitContext} supplies the mailbox (this test's thread) and a processing
 * time the test sets, so timers fire when the test says, never after a sleep.
 */
@ExtendWith(MilvusServerExtension.class)
class MilvusWriterITCase {

  private static final int DIM = 8;
  private static final SinkWriter.Context CONTEXT =
      new SinkWriter.Context() {
        @Override
        public long currentWatermark() {
          return Long.MIN_VALUE;
        }

        @Override
        public Long timestamp() {
          return null;
        }
      };

  private final TestSinkInitContext context = new TestSinkInitContext();
  private MilvusWriter writer;

  @AfterEach
  void closeWriter() throws Exception {
    if (writer != null) {
      writer.close();
    }
  }

  private MilvusWriter writer(MilvusConfig milvus, int batchRows, int maxInFlight) {
    CollectionSpec spec = CollectionSpec.forDimension(DIM);
    MilvusImageStore.open(milvus, spec).close(); // what planning the job does
    writer =
        new MilvusWriter(
            context,
            MilvusImageStore.attach(milvus, spec, StoreOptions.defaults()),
            batchRows,
            1_000,
            maxInFlight,
            Duration.ofMinutes(10).toMillis(),
            List.of());
    return writer;
  }

  private static RowChange upsert(String name, long mtimeMs) {
    return RowChange.upsert(TestRows.image(Path.of("/photos", name), DIM, mtimeMs));
  }

  @Test
  void theBufferGoesOutWhenItsTimeIsUpByTheTestsClock(MilvusConfig milvus) throws Exception {
    MilvusWriter w = writer(milvus, 100, 2);
    for (int i = 0; i < 3; i++) {
      w.write(upsert("t" + i + ".jpg", 1), CONTEXT);
    }
    try (MilvusImageStore store = JobTestSupport.openStore(milvus, DIM)) {
      assertThat(store.count()).as("rows before the buffer's time is up").isZero();

      TestProcessingTimeService clock = context.getTestProcessingTimeService();
      clock.setCurrentTime(clock.getCurrentProcessingTime() + 999);
      assertThat(w.bufferedRows()).isEqualTo(3);
      clock.setCurrentTime(clock.getCurrentProcessingTime() + 1);
      assertThat(w.bufferedRows()).isZero();

      w.flush(false); // only waits for the answer: the timer sent the rows
      assertThat(store.count()).isEqualTo(3);
      assertThat(w.requestsInFlight()).isZero();
    }
  }

  @Test
  void flushBeforeACheckpointSendsTheBufferAndWaitsForEveryAnswer(MilvusConfig milvus)
      throws Exception {
    MilvusWriter w = writer(milvus, 2, 1);
    for (int i = 0; i < 5; i++) { // two full batches go out as they fill; one row stays
      w.write(upsert("f" + i + ".jpg", 1), CONTEXT);
    }
    w.flush(false);

    assertThat(w.requestsInFlight()).isZero();
    assertThat(w.bufferedRows()).isZero();
    try (MilvusImageStore store = JobTestSupport.openStore(milvus, DIM)) {
      assertThat(store.count()).isEqualTo(5);
    }
    assertThat(context.metricGroup().getNumRecordsSendCounter().getCount()).isEqualTo(5);
  }

  @Test
  void oneFileChangedTwiceInOneBufferLeavesOneRowOfItsLastVersion(MilvusConfig milvus)
      throws Exception {
    MilvusWriter w = writer(milvus, 100, 2);
    // Read twice (a replay after a restart) and then changed: the same id three times in a row.
    ImageRecord first = TestRows.image(Path.of("/photos/twice.jpg"), DIM, 5);
    ImageRecord again = TestRows.image(Path.of("/photos/twice.jpg"), DIM, 6);
    w.write(RowChange.upsert(first), CONTEXT);
    w.write(RowChange.upsert(again), CONTEXT);
    // Changed while the buffer filled: its old version removed, the new one written.
    w.write(RowChange.deleteOtherVersions("/photos/twice.jpg", 7), CONTEXT);
    ImageRecord last = TestRows.image(Path.of("/photos/twice.jpg"), DIM, 7);
    w.write(RowChange.upsert(last), CONTEXT);
    w.write(upsert("other.jpg", 1), CONTEXT);
    w.flush(false);

    try (MilvusImageStore store = JobTestSupport.openStore(milvus, DIM)) {
      assertThat(store.count()).isEqualTo(2);
      List<ImageRecord> rows =
          store.get(List.of(ImageIds.ofNormalized("/photos/twice.jpg", ImageRecord.STILL_IMAGE)));
      assertThat(rows).singleElement().satisfies(r -> assertThat(r.mtimeMs()).isEqualTo(7));
    }
    assertThat(context.metricGroup().getNumRecordsSendCounter().getCount())
        .as("rows sent: the duplicate id went once")
        .isEqualTo(3);
  }

  @Test
  void theFirstFailedRequestIsRethrownFromTheNextWriteAndFlush(MilvusConfig milvus)
      throws Exception {
    MilvusWriter w = writer(milvus, 1, 1);
    // A row the collection cannot take: a vector of another dimension. Sent at once (batch of 1).
    w.write(RowChange.upsert(TestRows.image(Path.of("/photos/wide.jpg"), DIM * 2, 1)), CONTEXT);
    // The next write waits for the free slot, sees the answer, and fails.
    assertThatThrownBy(() -> w.write(upsert("next.jpg", 1), CONTEXT))
        .isInstanceOf(FlinkRuntimeException.class)
        .hasMessageContaining("Upsert of 1 rows into '" + milvus.collection() + "'")
        .hasMessageContaining("at " + milvus.uri())
        .hasMessageContaining("/photos/wide.jpg has 16 dimensions");
    assertThatThrownBy(() -> w.flush(false)).isInstanceOf(FlinkRuntimeException.class);
    assertThat(context.metricGroup().getNumRecordsSendErrorsCounter().getCount()).isEqualTo(1);
  }

  @Test
  void atTheInFlightLimitTheWriterWaitsOnTheMailboxUntilMilvusAnswers(
      MilvusConfig milvus, MilvusTestServer server) throws Exception {
    assumeThat(server.canRestart()).as("a Milvus this test can stop").isTrue();
    MilvusWriter w = writer(milvus, 1, 1);
    server.stop();
    Thread restarter = null;
    try {
      w.write(upsert("down-1.jpg", 1), CONTEXT); // sent: the one request in flight, retrying
      assertThat(w.requestsInFlight()).isEqualTo(1);
      restarter =
          new Thread(
              () -> {
                sleep(3_000);
                server.start();
              });
      restarter.start();
      long t0 = System.nanoTime();
      w.write(upsert("down-2.jpg", 1), CONTEXT); // no room: waits for the first answer
      long waitedMs = (System.nanoTime() - t0) / 1_000_000;
      assertThat(waitedMs).as("time the second write waited").isGreaterThanOrEqualTo(2_500);
      w.flush(false);
    } finally {
      if (restarter != null) {
        restarter.join();
      } else {
        server.start();
      }
    }
    try (MilvusImageStore store = JobTestSupport.openStore(milvus, DIM)) {
      assertThat(store.count()).isEqualTo(2);
    }
  }

  @Test
  void aWriterWaitingForMilvusIsCancelledPromptly(MilvusConfig milvus, MilvusTestServer server)
      throws Exception {
    assumeThat(server.canRestart()).as("a Milvus this test can stop").isTrue();
    MilvusWriter w = writer(milvus, 1, 1);
    server.stop();
    try {
      w.write(upsert("stuck-1.jpg", 1), CONTEXT);
      // Flink cancels a task by interrupting its thread; the writer waits on the mailbox.
      Thread task = Thread.currentThread();
      Thread canceller =
          new Thread(
              () -> {
                sleep(1_000);
                task.interrupt();
              });
      canceller.start();
      long t0 = System.nanoTime();
      assertThatThrownBy(() -> w.write(upsert("stuck-2.jpg", 1), CONTEXT))
          .isInstanceOf(InterruptedException.class);
      long ms = (System.nanoTime() - t0) / 1_000_000;
      canceller.join();
      assertThat(ms).as("ms from the interrupt to the writer giving up").isLessThan(5_000);
      long c0 = System.nanoTime();
      writer.close(); // what the task does after cancellation: the request is abandoned
      writer = null;
      assertThat((System.nanoTime() - c0) / 1_000_000).as("ms to close").isLessThan(6_000);
    } finally {
      Thread.interrupted();
      server.start();
    }
  }

  private static void sleep(long ms) {
    try {
      Thread.sleep(ms);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
