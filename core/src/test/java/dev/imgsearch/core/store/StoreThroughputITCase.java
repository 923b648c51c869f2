package dev.imgsearch.core.store;

import static org.assertj.core.api.Assertions.assertThat;

import dev.imgsearch.core.config.MilvusConfig;
import dev.imgsearch.core.testing.MilvusServerExtension;
import dev.imgsearch.core.testing.MilvusTestServer;
import dev.imgsearch.core.testing.TestRows;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Prints upsert throughput and search latency for ResNet50-sized vectors. Numbers only, no timing
 * assertions: they depend on the machine and the server kind. Size with -Dbench.rows (default 2000
 * in the build; 10000) and -Dbench.queries (default 50).
 */
@ExtendWith(MilvusServerExtension.class)
class StoreThroughputITCase {

  @Test
  void measuresUpsertAndSearch(MilvusConfig config, MilvusTestServer server) {
    int dim = CollectionSpec.RESNET50_DIMENSION;
    int rows = Integer.getInteger("bench.rows", 2_000);
    int queries = Integer.getInteger("bench.queries", 10);
    StoreOptions options =
        StoreOptions.defaults().withSearchConsistency(StoreOptions.ReadConsistency.STRONG);
    try (MilvusImageStore store =
        MilvusImageStore.open(config, CollectionSpec.forDimension(dim), options)) {
      List<ImageRecord> data = TestRows.images("/bench", rows, dim);

      UpsertSummary upsert = store.upsert(data);
      assertThat(store.count()).isEqualTo(rows);

      // Warm-up: the first search pays for loading and index setup.
      store.search(List.of(data.get(0).vector()), SearchRequest.topK(10));
      List<Long> micros = new ArrayList<>();
      for (int i = 0; i < queries; i++) {
        ImageRecord target = data.get((i * 7919) % rows);
        SearchResults results = store.search(List.of(target.vector()), SearchRequest.topK(10));
        assertThat(results.hits().get(0).get(0).id()).isEqualTo(target.id());
        micros.add(results.took().toNanos() / 1000);
      }
      Collections.sort(micros);

      double rowsPerSecond = rows / (upsert.took().toNanos() / 1e9);
      System.out.printf(
          "BENCH server=%s dim=%d rows=%d batches=%d (max %d rows / %d bytes): upsert %.0f rows/s"
              + " (%d ms); search top-10 over %d queries: median %.1f ms, p90 %.1f ms, max %.1f ms%n",
          server.kind(),
          dim,
          rows,
          upsert.batches(),
          options.maxBatchRows(),
          options.maxBatchBytes(),
          rowsPerSecond,
          upsert.took().toMillis(),
          queries,
          micros.get(queries / 2) / 1000.0,
          micros.get(queries * 9 / 10) / 1000.0,
          micros.get(queries - 1) / 1000.0);
    }
  }
}
