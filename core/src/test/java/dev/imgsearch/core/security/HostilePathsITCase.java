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
import dev.imgsearch.core.testing.TestRows;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
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
      hostile.add(TestRows.image(Path.of("/photos", HOSTILE_NAMES.get(i)).toString(), DIM, i));
    }
    // Decoys whose paths a broken escape would match: prefixes and the unescaped forms.
    List<ImageRecord> decoys = new ArrayList<>();
    decoys.add(TestRows.image(Path.of("/photos/a").toString(), DIM, 100));
    decoys.add(TestRows.image(Path.of("/photos/b\\").toString(), DIM, 101));
    decoys.add(TestRows.image(Path.of("/photos/plain.jpg").toString(), DIM, 102));
    decoys.add(TestRows.image(Path.of("/photos/line\\nbreak.jpg").toString(), DIM, 103));
    decoys.add(TestRows.image(Path.of("/photos/tab\\there.jpg").toString(), DIM, 104));
    // What a parser that reads \n as n (Milvus Lite 2.5.1) would select instead.
    decoys.add(TestRows.image(Path.of("/photos/linenbreak.jpg").toString(), DIM, 105));
    decoys.add(TestRows.image(Path.of("/photos/carriagerreturn.jpg").toString(), DIM, 106));
    decoys.add(TestRows.image(Path.of("/photos/tabthere.jpg").toString(), DIM, 107));
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

  @Test
  void aPathWithALineBreakLosesItsRowsAndNeverAnotherFiles(MilvusConfig milvus) {
    ImageRecord broken = TestRows.image(Path.of("/photos/line\nbreak.jpg").toString(), DIM, 1);
    ImageRecord cr = TestRows.image(Path.of("/photos/carriage\rreturn.jpg").toString(), DIM, 2);
    ImageRecord decoy = TestRows.image(Path.of("/photos/linenbreak.jpg").toString(), DIM, 3);
    ImageRecord crDecoy = TestRows.image(Path.of("/photos/carriagerreturn.jpg").toString(), DIM, 4);
    try (MilvusImageStore store =
        MilvusImageStore.open(
            milvus,
            CollectionSpec.forDimension(DIM),
            StoreOptions.defaults().withSearchConsistency(StoreOptions.ReadConsistency.STRONG))) {
      store.upsert(List.of(broken, cr, decoy, crDecoy));
      store.deleteOtherVersions(broken.filepath(), broken.mtimeMs() + 1);
      store.deleteByPaths(List.of(cr.filepath()));
      // Milvus Lite 2.5.1 reads "line\nbreak" as "linenbreak": the decoys must stay. The still
      // images' own rows go on every server: they are deleted by id.
      assertThat(store.get(List.of(decoy.id(), crDecoy.id()))).hasSize(2);
      assertThat(store.get(List.of(broken.id(), cr.id()))).isEmpty();
    }
  }
}
