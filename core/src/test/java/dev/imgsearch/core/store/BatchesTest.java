package dev.imgsearch.core.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.imgsearch.core.testing.TestRows;
import java.util.List;
import org.junit.jupiter.api.Test;

class BatchesTest {

  private static final int DIM = 2048;

  @Test
  void estimatesAVectorRowAtItsFloatsPlusMetadata() {
    ImageRecord row = TestRows.image("/data/a.jpg", DIM, 1);
    assertThat(Batches.estimatedBytes(row)).isBetween(8192L + 100, 8192L + 400);
  }

  @Test
  void splitsByRowsWhenRowsAreSmall() {
    List<ImageRecord> rows = TestRows.images("/r", 2500, 4);
    List<List<ImageRecord>> batches = Batches.split(rows, 1000, 16L << 20);
    assertThat(batches).extracting(List::size).containsExactly(1000, 1000, 500);
  }

  @Test
  void splitsByBytesWhenVectorsAreLarge() {
    List<ImageRecord> rows = TestRows.images("/b", 3000, DIM);
    long rowBytes = Batches.estimatedBytes(rows.get(0));
    long cap = 2L << 20;
    List<List<ImageRecord>> batches = Batches.split(rows, 1000, cap);

    int perBatch = (int) (cap / rowBytes);
    assertThat(batches).hasSize((3000 + perBatch - 1) / perBatch);
    assertThat(batches.get(0)).hasSize(perBatch);
    assertThat(batches).allSatisfy(b -> assertThat(b.size() * rowBytes).isLessThanOrEqualTo(cap));
    assertThat(batches.stream().mapToInt(List::size).sum()).isEqualTo(3000);
  }

  @Test
  void keepsOrderAndEveryRow() {
    List<ImageRecord> rows = TestRows.images("/o", 10, DIM);
    List<List<ImageRecord>> batches = Batches.split(rows, 3, 1L << 20);
    assertThat(batches.stream().flatMap(List::stream).toList()).isEqualTo(rows);
  }

  @Test
  void putsARowOverTheByteCapAloneInsteadOfLooping() {
    List<ImageRecord> rows = TestRows.images("/big", 3, DIM);
    assertThat(Batches.split(rows, 1000, 100)).extracting(List::size).containsExactly(1, 1, 1);
  }

  @Test
  void emptyInputGivesNoBatches() {
    assertThat(Batches.split(List.of(), 10, 10)).isEmpty();
  }

  @Test
  void rejectsNonPositiveLimits() {
    assertThatThrownBy(() -> Batches.split(List.of(), 0, 10)).hasMessageContaining("maxRows=0");
  }
}
