package dev.imgsearch.core.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.imgsearch.core.config.MilvusConfig;
import dev.imgsearch.core.testing.MilvusServerExtension;
import dev.imgsearch.core.testing.MilvusTestServer;
import dev.imgsearch.core.testing.TestRows;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(MilvusServerExtension.class)
class MilvusImageStoreITCase {

  private static final int DIM = 64;
  private static final StoreOptions STRONG =
      StoreOptions.defaults().withSearchConsistency(StoreOptions.ReadConsistency.STRONG);

  private static MilvusImageStore open(MilvusConfig config, CollectionSpec spec) {
    return MilvusImageStore.open(config, spec, STRONG);
  }

  @Test
  void createsCollectionAndReopensIt(MilvusConfig config) {
    CollectionSpec spec = CollectionSpec.forDimension(DIM);
    try (MilvusImageStore store = open(config, spec)) {
      assertThat(store.count()).isZero();
      store.upsert(List.of(TestRows.image("/a.jpg", DIM, 1)));
    }
    // Second open validates the existing collection instead of creating it.
    try (MilvusImageStore store = open(config, spec)) {
      assertThat(store.count()).isEqualTo(1);
    }
  }

  @Test
  void upsertingTheSamePathTwiceKeepsOneRowWithTheNewVector(MilvusConfig config) {
    try (MilvusImageStore store = open(config, CollectionSpec.forDimension(DIM))) {
      ImageRecord first = TestRows.image("/photos/cat.jpg", DIM, 1);
      store.upsert(List.of(first));
      store.upsert(List.of(first));
      assertThat(store.count()).isEqualTo(1);

      ImageRecord changed = TestRows.image("/photos/./cat.jpg", DIM, 2);
      assertThat(changed.id()).isEqualTo(first.id());
      store.upsert(List.of(changed));

      assertThat(store.count()).isEqualTo(1);
      List<ImageRecord> stored = store.get(List.of(first.id()));
      assertThat(stored).hasSize(1);
      assertThat(stored.get(0).vector()).containsExactly(changed.vector());
      assertThat(stored.get(0).contentSha256()).isEqualTo(changed.contentSha256());
    }
  }

  @Test
  void splitsLargeUpsertsByBytesAndCountsExactly(MilvusConfig config) {
    int dim = CollectionSpec.RESNET50_DIMENSION;
    StoreOptions smallBatches = STRONG.withBatchLimits(1000, 2L * 1024 * 1024);
    try (MilvusImageStore store =
        MilvusImageStore.open(config, CollectionSpec.forDimension(dim), smallBatches)) {
      List<ImageRecord> rows = TestRows.images("/bulk", 3000, dim);
      UpsertSummary summary = store.upsert(rows);
      // 2 MiB holds 249 rows of ~8.4 KB, so 3000 rows need 13 calls rather than 3.
      assertThat(summary.batches())
          .isEqualTo(Batches.split(rows, 1000, 2L * 1024 * 1024).size())
          .isGreaterThan(10);
      assertThat(store.count()).isEqualTo(3000);
    }
  }

  @Test
  void searchFindsTheInsertedImageFirst(MilvusConfig config) {
    for (MetricType metric : MetricType.values()) {
      MilvusConfig perMetric =
          config.withCollection(config.collection() + "_" + metric.name().toLowerCase());
      try (MilvusImageStore store =
          open(perMetric, CollectionSpec.forDimension(DIM).withMetric(metric))) {
        List<ImageRecord> rows = TestRows.images("/search", 200, DIM);
        store.upsert(rows);
        ImageRecord target = rows.get(42);

        SearchResults results =
            store.search(List.of(target.vector(), rows.get(7).vector()), SearchRequest.topK(5));

        assertThat(results.hits()).hasSize(2);
        SearchHit best = results.hits().get(0).get(0);
        assertThat(best.id()).isEqualTo(target.id());
        assertThat(best.filepath()).isEqualTo(target.filepath());
        assertThat(best.frameMs()).isEqualTo(ImageRecord.STILL_IMAGE);
        assertThat(best.width()).isEqualTo(640);
        assertThat(best.model()).isEqualTo("resnet50-test");
        assertThat(results.hits().get(1).get(0).id()).isEqualTo(rows.get(7).id());
        SearchHit second = results.hits().get(0).get(1);
        if (metric.higherIsCloser()) {
          assertThat(best.distance()).isCloseTo(1.0f, org.assertj.core.data.Offset.offset(1e-3f));
          assertThat(best.distance()).isGreaterThan(second.distance());
        } else {
          assertThat(best.distance()).isCloseTo(0.0f, org.assertj.core.data.Offset.offset(1e-3f));
          assertThat(best.distance()).isLessThan(second.distance());
        }
        assertThat(results.took()).isPositive();
      } finally {
        dropQuietly(perMetric);
      }
    }
  }

  @Test
  void filtersByPathWithoutLettingThePathChangeTheQuery(MilvusConfig config) {
    try (MilvusImageStore store = open(config, CollectionSpec.forDimension(DIM))) {
      ImageRecord hostile = TestRows.image("/x/a\" or id != \"", DIM, 1);
      ImageRecord backslash = TestRows.image("/x/b\\\" or id != \\\"", DIM, 2);
      ImageRecord plain = TestRows.image("/x/plain.jpg", DIM, 3);
      store.upsert(List.of(hostile, backslash, plain));

      for (ImageRecord row : List.of(hostile, backslash, plain)) {
        SearchResults results =
            store.search(
                List.of(plain.vector()),
                SearchRequest.topK(10)
                    .withFilter(FilterExpressions.filepathEquals(row.filepath())));
        assertThat(results.hits().get(0)).extracting(SearchHit::id).containsExactly(row.id());
      }
    }
  }

  @Test
  void deletesByIdAndByFilter(MilvusConfig config) {
    try (MilvusImageStore store = open(config, CollectionSpec.forDimension(DIM))) {
      List<ImageRecord> rows = TestRows.images("/del", 10, DIM);
      store.upsert(rows);

      store.deleteByIds(List.of(rows.get(0).id(), rows.get(1).id()));
      assertThat(store.count()).isEqualTo(8);
      assertThat(store.get(List.of(rows.get(0).id()))).isEmpty();

      store.deleteByFilter(FilterExpressions.filepathEquals(rows.get(5).filepath()));
      store.deleteByFilter(FilterExpressions.idIn(List.of(rows.get(6).id(), rows.get(7).id())));
      assertThat(store.count()).isEqualTo(5);
      assertThat(store.get(rows.stream().map(ImageRecord::id).toList()))
          .extracting(ImageRecord::filepath)
          .containsExactlyInAnyOrder(
              rows.get(2).filepath(),
              rows.get(3).filepath(),
              rows.get(4).filepath(),
              rows.get(8).filepath(),
              rows.get(9).filepath());
    }
  }

  @Test
  void deletesEveryFrameOfAPathAndOnlyOtherVersionsOfAChangedOne(MilvusConfig config) {
    try (MilvusImageStore store = open(config, CollectionSpec.forDimension(DIM))) {
      ImageRecord hostile = TestRows.image("/v/a\" or filepath != \"", DIM, 1);
      ImageRecord kept = TestRows.image("/v/kept.jpg", DIM, 2);
      List<ImageRecord> video = new java.util.ArrayList<>();
      for (long frameMs : new long[] {0, 1000, 2000}) {
        ImageRecord f = TestRows.image("/v/clip.mp4", DIM, 10 + frameMs);
        // Frames 0 and 1000 come from the new version (mtime 5), frame 2000 from the old one.
        video.add(
            new ImageRecord(
                ImageIds.ofNormalized(f.filepath(), frameMs),
                f.filepath(),
                f.vector(),
                f.contentSha256(),
                f.sizeBytes(),
                f.width(),
                f.height(),
                frameMs == 2000 ? 4 : 5,
                f.model(),
                f.ingestedAtMs(),
                frameMs));
      }
      store.upsert(List.of(hostile, kept));
      store.upsert(video);

      store.deleteByFilter(FilterExpressions.otherVersionsOf("/v/clip.mp4", 5));
      assertThat(store.count(FilterExpressions.filepathEquals("/v/clip.mp4"))).isEqualTo(2);

      // A quote in a file name must not widen the delete to every other file.
      assertThat(store.deleteByPaths(List.of(hostile.filepath(), "/v/clip.mp4"))).isEqualTo(3);
      assertThat(store.count()).isEqualTo(1);
      List<String> paths = new java.util.ArrayList<>();
      store.scanFilepaths(1, paths::addAll);
      assertThat(paths).containsExactly(kept.filepath());
    }
  }

  @Test
  void resumesWritesAfterTheServerRestarts(MilvusConfig config, MilvusTestServer server) {
    assumeTrue(server.canRestart(), "an external MILVUS_URI server cannot be restarted here");
    try (MilvusImageStore store = open(config, CollectionSpec.forDimension(DIM))) {
      List<ImageRecord> before = TestRows.images("/before", 50, DIM);
      store.upsert(before);

      server.restart();

      List<ImageRecord> after = TestRows.images("/after", 50, DIM);
      store.upsert(after);
      assertThat(store.count()).isEqualTo(100);
      assertThat(store.get(before.stream().map(ImageRecord::id).toList())).hasSize(50);
    }
  }

  @Test
  void keepsEveryAcknowledgedWriteWhenTheServerIsKilled(
      MilvusConfig config, MilvusTestServer server) {
    assumeTrue(server.canRestart(), "an external MILVUS_URI server cannot be killed here");
    CollectionSpec spec = CollectionSpec.forDimension(DIM);
    List<ImageRecord> rows = TestRows.images("/killed", 300, DIM);
    ImageRecord changed = TestRows.image(rows.get(3).filepath(), DIM, 10_000);
    try (MilvusImageStore store = open(config, spec)) {
      store.upsert(rows);
      store.upsert(List.of(changed));
      store.deleteByIds(List.of(rows.get(0).id(), rows.get(1).id()));
      assertThat(store.count()).isEqualTo(298);
    }

    server.kill(); // SIGKILL right after the last acknowledged write: no shutdown, no flush
    server.start();

    try (MilvusImageStore store = open(config, spec)) {
      assertThat(store.count()).isEqualTo(298);
      assertThat(store.get(List.of(rows.get(0).id(), rows.get(1).id()))).isEmpty();
      List<ImageRecord> stored = store.get(List.of(changed.id()));
      assertThat(stored).hasSize(1);
      assertThat(stored.get(0).vector()).containsExactly(changed.vector());
      ImageRecord target = rows.get(150);
      SearchResults results = store.search(List.of(target.vector()), SearchRequest.topK(3));
      assertThat(results.hits().get(0).get(0).id()).isEqualTo(target.id());
    }
  }

  @Test
  void retriesUntilTheServerComesBack(MilvusConfig config, MilvusTestServer server)
      throws Exception {
    assumeTrue(server.canRestart(), "an external MILVUS_URI server cannot be restarted here");
    try (MilvusImageStore store = open(config, CollectionSpec.forDimension(DIM))) {
      server.stop();
      CompletableFuture<Void> restarter =
          CompletableFuture.runAsync(
              () -> {
                sleep(Duration.ofSeconds(3));
                server.start();
              });
      // Issued while the server is down: must wait it out, not fail.
      store.upsert(TestRows.images("/during", 20, DIM));
      restarter.join(); // Rethrows a failed start, which would explain a failed upsert.
      assertThat(store.count()).isEqualTo(20);
    }
  }

  @Test
  void refusesAnotherDimensionNamingBothAndTheFix(MilvusConfig config) {
    try (MilvusImageStore store = open(config, CollectionSpec.forDimension(DIM))) {
      assertThat(store.count()).isZero();
    }
    assertThatThrownBy(() -> open(config, CollectionSpec.forDimension(128)))
        .isInstanceOf(SchemaMismatchException.class)
        .hasMessageContaining("64-d")
        .hasMessageContaining("128-d")
        .hasMessageContaining("--collection")
        .hasMessageContaining(config.collection());
  }

  @Test
  void refusesAnotherMetricNamingBothAndTheFix(MilvusConfig config) {
    try (MilvusImageStore store = open(config, CollectionSpec.forDimension(DIM))) {
      assertThat(store.count()).isZero();
    }
    assertThatThrownBy(
            () -> open(config, CollectionSpec.forDimension(DIM).withMetric(MetricType.L2)))
        .isInstanceOf(SchemaMismatchException.class)
        .hasMessageContaining("COSINE")
        .hasMessageContaining("L2")
        .hasMessageContaining("--metric");
  }

  @Test
  void reportsTheServersReasonForARefusedWrite(MilvusConfig config) {
    try (MilvusImageStore store = open(config, CollectionSpec.forDimension(DIM))) {
      assertThatThrownBy(() -> store.deleteByFilter("no_such_field == 1"))
          .isInstanceOf(MilvusStoreException.class)
          .hasMessageContaining("no_such_field");
    }
  }

  private static void dropQuietly(MilvusConfig config) {
    var client =
        new io.milvus.v2.client.MilvusClientV2(
            io.milvus.v2.client.ConnectConfig.builder().uri(config.uri()).build());
    try {
      client.dropCollection(
          io.milvus.v2.service.collection.request.DropCollectionReq.builder()
              .collectionName(config.collection())
              .build());
    } finally {
      client.close();
    }
  }

  private static void sleep(Duration duration) {
    try {
      Thread.sleep(duration.toMillis());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
