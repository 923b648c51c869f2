package dev.imgsearch.core.security;

import static org.assertj.core.api.Assertions.assertThat;

import dev.imgsearch.core.config.MilvusConfig;
import dev.imgsearch.core.store.CollectionSpec;
import dev.imgsearch.core.store.FilterExpressions;
import dev.imgsearch.core.store.ImageIds;
import dev.imgsearch.core.store.ImageRecord;
import dev.imgsearch.core.store.MilvusImageStore;
import dev.imgsearch.core.store.SearchHit;
import dev.imgsearch.core.store.SearchRequest;
import dev.imgsearch.core.store.StoreOptions;
import dev.imgsearch.core.testing.MilvusServerExtension;
import dev.imgsearch.core.testing.MilvusTestServer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * File names are data: a path that looks like a piece of a filter expression must select exactly
 * its own row, whether it is looked up by filter (count, search, delete) or by id, against the real
 * server's expression parser.
 */
@ExtendWith(MilvusServerExtension.class)
class HostilePathsITCase {

  private static final int DIM = 8;

  /** Names that try to end the string literal, escape its end, or smuggle in control characters. */
  static final List<String> HOSTILE_NAMES =
      List.of(
          "a\" or id != \"",
          "a' or id != '",
          "b\\\" or id != \\\"",
          "ends with a backslash\\",
          "\\\\server\\share\\x.jpg",
          "\" || true || \".jpg",
          ") or (1 == 1.jpg",
          "line\nbreak.jpg",
          "carriage\rreturn.jpg",
          "tab\there.jpg",
          "bell\u0007escape\u001b[31m.jpg",
          "фото кота 猫 🐱.jpg",
          "right-to-left \u202egpj.exe",
          "percent % and _underscore_.jpg",
          "$(touch PWNED) `id`; rm -rf x.jpg");

  @Test
  void eachHostilePathSelectsExactlyItsOwnRow(MilvusConfig milvus, MilvusTestServer server) {
    List<ImageRecord> hostile = new ArrayList<>();
    for (int i = 0; i < HOSTILE_NAMES.size(); i++) {
      hostile.add(row(Path.of("/photos", HOSTILE_NAMES.get(i)), i));
    }
    // Decoys whose paths a broken escape would match: prefixes and the unescaped forms.
    List<ImageRecord> decoys = new ArrayList<>();
    decoys.add(row(Path.of("/photos/a"), 100));
    decoys.add(row(Path.of("/photos/b\\"), 101));
    decoys.add(row(Path.of("/photos/plain.jpg"), 102));
    decoys.add(row(Path.of("/photos/line\\nbreak.jpg"), 103));
    decoys.add(row(Path.of("/photos/tab\\there.jpg"), 104));
    // What a parser that reads \n as n (Milvus Lite 2.5.1) would select instead.
    decoys.add(row(Path.of("/photos/linenbreak.jpg"), 105));
    decoys.add(row(Path.of("/photos/carriagerreturn.jpg"), 106));
    decoys.add(row(Path.of("/photos/tabthere.jpg"), 107));
    List<ImageRecord> all = new ArrayList<>(hostile);
    all.addAll(decoys);

    try (MilvusImageStore store =
        MilvusImageStore.open(
            milvus,
            CollectionSpec.forDimension(DIM),
            StoreOptions.defaults().withSearchConsistency(StoreOptions.ReadConsistency.STRONG))) {
      store.upsert(all);
      assertThat(store.count()).isEqualTo(all.size());

      for (ImageRecord row : hostile) {
        List<ImageRecord> got = store.get(List.of(ImageIds.ofNormalized(row.filepath(), -1)));
        assertThat(got).extracting(ImageRecord::filepath).containsExactly(row.filepath());
        if (!server.filterCanSelect(row.filepath())) {
          System.out.printf(
              "[hostile paths] %s: no filter literal selects %s there; by id only%n",
              server.kind(), FilterExpressions.quote(row.filepath()));
          continue;
        }
        String filter = FilterExpressions.filepathEquals(row.filepath());
        assertThat(store.count(filter)).as("count where %s", filter).isEqualTo(1);

        List<SearchHit> hits =
            store
                .search(List.of(row.vector()), SearchRequest.topK(50).withFilter(filter))
                .hits()
                .get(0);
        assertThat(hits).as("search where %s", filter).hasSize(1);
        assertThat(hits.get(0).id()).isEqualTo(row.id());
        assertThat(hits.get(0).filepath()).isEqualTo(row.filepath());
      }

      // Deleting by a hostile path removes that row and nothing else.
      long before = store.count();
      for (ImageRecord row : hostile) {
        if (server.filterCanSelect(row.filepath())) {
          store.deleteByFilter(FilterExpressions.filepathEquals(row.filepath()));
        } else {
          store.deleteByIds(List.of(row.id()));
        }
        assertThat(store.count()).isEqualTo(--before);
        assertThat(store.get(List.of(row.id()))).isEmpty();
      }
      assertThat(store.get(decoys.stream().map(ImageRecord::id).toList()))
          .extracting(ImageRecord::filepath)
          .containsExactlyInAnyOrderElementsOf(decoys.stream().map(ImageRecord::filepath).toList());
    }
  }

  private static ImageRecord row(Path path, long seed) {
    SplittableRandom random = new SplittableRandom(seed);
    float[] vector = new float[DIM];
    double norm = 0;
    for (int d = 0; d < DIM; d++) {
      vector[d] = (float) random.nextGaussian();
      norm += vector[d] * vector[d];
    }
    for (int d = 0; d < DIM; d++) {
      vector[d] /= (float) Math.sqrt(norm);
    }
    return ImageRecord.of(
        path,
        ImageRecord.STILL_IMAGE,
        vector,
        "0".repeat(60) + String.format("%04d", seed),
        1000,
        640,
        480,
        1_700_000_000_000L,
        "security-test",
        1_800_000_000_000L);
  }
}
