package dev.imgsearch.job.sink;

import static org.assertj.core.api.Assertions.assertThat;

import dev.imgsearch.core.store.ImageRecord;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RemovalGuardTest {

  private static final long GUARD = 1_000;

  @TempDir Path dir;

  private final RemovalGuard guard = new RemovalGuard(GUARD);

  @Test
  void afterADeletionARowCountsOnlyIfItsFileIsBack() throws Exception {
    Path file = dir.resolve("a.jpg");
    guard.removed(RowChange.deleteFile(file.toString()), 0);

    assertThat(guard.isStraggler(row(file, 1))).isTrue();
    Files.writeString(file, "back");
    assertThat(guard.isStraggler(row(file, 1))).isFalse();
    assertThat(guard.isStraggler(row(dir.resolve("other.jpg"), 1))).isFalse();
  }

  @Test
  void afterAChangeOnlyOlderVersionsAreStragglers() {
    Path file = dir.resolve("v.mp4");
    guard.removed(RowChange.deleteOtherVersions(file.toString(), 0), 0); // mtime 0 is a version

    assertThat(guard.isStraggler(row(file, -1))).isTrue();
    assertThat(guard.isStraggler(row(file, 0))).isFalse();
    assertThat(guard.isStraggler(row(file, 7))).isFalse();
  }

  @Test
  void removalsAreForgottenAfterTheGuardTime() {
    guard.removed(RowChange.deleteFile(dir.resolve("old.jpg").toString()), 0);
    guard.removed(RowChange.deleteFile(dir.resolve("new.jpg").toString()), GUARD + 1);

    assertThat(guard.snapshot())
        .extracting(RemovalGuard.Entry::path)
        .containsExactly(dir.resolve("new.jpg").toString());
  }

  @Test
  void restoredRemovalsGetAFullGuardPeriodFromTheRestore() throws Exception {
    guard.removed(RowChange.deleteFile(dir.resolve("a.jpg").toString()), 5);
    guard.removed(RowChange.deleteOtherVersions(dir.resolve("b.jpg").toString(), 9), 6);
    RemovalGuard.EntrySerializer s = RemovalGuard.EntrySerializer.INSTANCE;
    List<RemovalGuard.Entry> state =
        guard.snapshot().stream()
            .map(
                e -> {
                  try {
                    return s.deserialize(s.getVersion(), s.serialize(e));
                  } catch (Exception ex) {
                    throw new IllegalStateException(ex);
                  }
                })
            .toList();

    RemovalGuard restored = new RemovalGuard(GUARD);
    restored.restore(state, 1_000_000);
    restored.removed(RowChange.deleteFile(dir.resolve("c.jpg").toString()), 1_000_000 + GUARD);

    assertThat(restored.size()).isEqualTo(3);
    assertThat(restored.isStraggler(row(dir.resolve("a.jpg"), 1))).isTrue();
    assertThat(restored.isStraggler(row(dir.resolve("b.jpg"), 8))).isTrue();
    assertThat(restored.isStraggler(row(dir.resolve("b.jpg"), 9))).isFalse();
  }

  private static ImageRecord row(Path file, long mtimeMs) {
    return ImageRecord.of(
        file,
        ImageRecord.STILL_IMAGE,
        new float[] {1, 0},
        "a".repeat(64),
        10,
        1,
        1,
        mtimeMs,
        "m",
        0);
  }
}
