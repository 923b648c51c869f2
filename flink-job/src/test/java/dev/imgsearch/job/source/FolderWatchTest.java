package dev.imgsearch.job.source;

import static org.assertj.core.api.Assertions.assertThat;

import dev.imgsearch.job.source.FolderWatch.Change;
import dev.imgsearch.job.source.FolderWatch.FileVersion;
import dev.imgsearch.job.source.FolderWatch.Kind;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

class FolderWatchTest {

  private static final long DELAY = 5_000;

  private final FolderWatch watch = new FolderWatch(DELAY);

  @Test
  void newFilesAreAddedAndAnUnchangedListingChangesNothing() {
    Map<String, FileVersion> listing = listing("a.jpg", 1, 10, "b.jpg", 2, 20);

    assertThat(watch.applyListing(listing, 0))
        .containsExactly(
            new Change(Kind.ADDED, "a.jpg", new FileVersion(1, 10)),
            new Change(Kind.ADDED, "b.jpg", new FileVersion(2, 20)));
    assertThat(watch.applyListing(listing, 1_000)).isEmpty();
    assertThat(watch.trackedFiles()).isEqualTo(2);
  }

  @Test
  void aNewMtimeOrANewSizeIsAModification() {
    watch.applyListing(listing("a.jpg", 1, 10, "b.jpg", 2, 20), 0);

    assertThat(watch.applyListing(listing("a.jpg", 3, 10, "b.jpg", 2, 21), 1_000))
        .containsExactly(
            new Change(Kind.MODIFIED, "a.jpg", new FileVersion(3, 10)),
            new Change(Kind.MODIFIED, "b.jpg", new FileVersion(2, 21)));
  }

  @Test
  void aMissingFileIsDeletedOnlyAfterTheDelayAndThenForgotten() {
    watch.applyListing(listing("a.jpg", 1, 10, "b.jpg", 2, 20), 0);
    watch.applyListing(listing("b.jpg", 2, 20), 1_000);

    assertThat(watch.awaitingDeletion()).isEqualTo(1);
    assertThat(watch.deletionCandidates(5_999)).isEmpty();
    assertThat(watch.confirmAbsent("a.jpg", 5_999)).isNull();
    assertThat(watch.deletionCandidates(6_000)).containsExactly("a.jpg");
    assertThat(watch.confirmAbsent("a.jpg", 6_000))
        .isEqualTo(new Change(Kind.DELETED, "a.jpg", new FileVersion(1, 10)));
    assertThat(watch.trackedFiles()).isEqualTo(1);
    assertThat(watch.awaitingDeletion()).isZero();
    // Back after its deletion: a new file like any other.
    assertThat(watch.applyListing(listing("a.jpg", 1, 10, "b.jpg", 2, 20), 7_000))
        .containsExactly(new Change(Kind.ADDED, "a.jpg", new FileVersion(1, 10)));
  }

  @Test
  void aFileBackWithinTheDelayWasNeverGone() {
    watch.applyListing(listing("a.jpg", 1, 10), 0);
    watch.applyListing(Map.of(), 1_000); // a listing that missed it
    assertThat(watch.applyListing(listing("a.jpg", 1, 10), 2_000)).isEmpty();

    assertThat(watch.awaitingDeletion()).isZero();
    assertThat(watch.confirmAbsent("a.jpg", 60_000)).isNull();
  }

  @Test
  void aFileThatTheRecheckFindsIsNotDeleted() {
    watch.applyListing(listing("a.jpg", 1, 10), 0);
    watch.applyListing(Map.of(), 0);
    watch.confirmPresent("a.jpg");

    assertThat(watch.deletionCandidates(60_000)).isEmpty();
    assertThat(watch.trackedFiles()).isEqualTo(1);
  }

  @Test
  void theDelayCountsFromTheFirstListingThatMissedTheFile() {
    watch.applyListing(listing("a.jpg", 1, 10), 0);
    watch.applyListing(Map.of(), 1_000);
    watch.applyListing(Map.of(), 4_000);

    assertThat(watch.deletionCandidates(6_000)).containsExactly("a.jpg");
  }

  private static Map<String, FileVersion> listing(Object... nameMtimeSize) {
    Map<String, FileVersion> out = new LinkedHashMap<>();
    for (int i = 0; i < nameMtimeSize.length; i += 3) {
      out.put(
          (String) nameMtimeSize[i],
          new FileVersion(
              ((Number) nameMtimeSize[i + 1]).longValue(),
              ((Number) nameMtimeSize[i + 2]).longValue()));
    }
    return out;
  }
}
