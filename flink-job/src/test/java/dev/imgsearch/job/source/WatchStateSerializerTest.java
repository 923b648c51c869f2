package dev.imgsearch.job.source;

import static org.assertj.core.api.Assertions.assertThat;

import dev.imgsearch.job.source.FolderWatch.FileVersion;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.flink.connector.file.src.util.CheckpointedPosition;
import org.apache.flink.core.fs.Path;
import org.junit.jupiter.api.Test;

/** The enumerator's checkpoint: exact round trip, and a size that follows the files that exist. */
class WatchStateSerializerTest {

  @Test
  void roundTripsFilesMissingMarksAndPendingSplits() throws Exception {
    Map<String, FileVersion> known = new HashMap<>();
    known.put("file:/photos/a.jpg", new FileVersion(1_700_000_000_123L, 2_345_678));
    known.put("file:/photos/ab.jpg", new FileVersion(0, 0));
    known.put("file:/photos/überall/ß €.jpg", new FileVersion(-5, Long.MAX_VALUE));
    known.put("file:/other/x.png", new FileVersion(Long.MAX_VALUE, 1));
    Map<String, Long> missing = Map.of("file:/photos/ab.jpg", 42L);
    List<WatchSplit> pending =
        List.of(
            new WatchSplit(
                "7", ImageFile.Lifecycle.CONTENT, new Path("file:/photos/a.jpg"), 1, 2, null),
            new WatchSplit(
                "8",
                ImageFile.Lifecycle.DELETED,
                new Path("file:/photos/gone.jpg"),
                3,
                4,
                new CheckpointedPosition(CheckpointedPosition.NO_OFFSET, 1)));
    WatchState state = new WatchState(known, missing, pending, 9);

    WatchState back = roundTrip(state);

    assertThat(back.known()).isEqualTo(known);
    assertThat(back.missingSince()).isEqualTo(missing);
    assertThat(back.nextSplitId()).isEqualTo(9);
    assertThat(back.pending()).hasSize(2);
    WatchSplit deleted = back.pending().get(1);
    assertThat(deleted.splitId()).isEqualTo("8");
    assertThat(deleted.lifecycle()).isEqualTo(ImageFile.Lifecycle.DELETED);
    assertThat(deleted.path()).isEqualTo(new Path("file:/photos/gone.jpg"));
    assertThat(deleted.fileModificationTime()).isEqualTo(3);
    assertThat(deleted.fileSize()).isEqualTo(4);
    assertThat(deleted.getReaderPosition()).contains(pending.get(1).getReaderPosition().get());
    assertThat(back.pending().get(0).getReaderPosition()).isEmpty();
  }

  @Test
  void checkpointSizeIsProportionalToTrackedFiles() throws Exception {
    int small = serializedSize(state(files(0, 10_000)));
    int large = serializedSize(state(files(0, 100_000)));
    System.out.printf(
        "watch state: 10000 files %d bytes (%.1f B/file), 100000 files %d bytes (%.1f B/file)%n",
        small, small / 10_000.0, large, large / 100_000.0);

    assertThat(large / 100_000.0).as("bytes per tracked file").isLessThan(40);
    assertThat((double) large / small).isBetween(9.0, 11.0);
  }

  @Test
  void deletedFilesLeaveTheState() throws Exception {
    // 100k files seen over time, 90k of them deleted since: the state is that of the 10k left.
    FolderWatch watch = new FolderWatch(0);
    Map<String, FileVersion> all = files(0, 100_000);
    watch.applyListing(all, 0);
    Map<String, FileVersion> remaining = files(90_000, 100_000);
    watch.applyListing(remaining, 1);
    for (String path : watch.deletionCandidates(1)) {
      assertThat(watch.confirmAbsent(path, 1)).isNotNull();
    }
    WatchState after = new WatchState(watch.known(), watch.missingSince(), List.of(), 0);

    int size = serializedSize(after);
    int fresh = serializedSize(state(remaining));
    System.out.printf(
        "watch state after 100000 seen, 90000 deleted: %d bytes for %d tracked files%n",
        size, watch.trackedFiles());

    assertThat(watch.trackedFiles()).isEqualTo(10_000);
    assertThat(size).isEqualTo(fresh);
  }

  /** Camera-like names spread over dated folders, with realistic mtimes and sizes. */
  private static Map<String, FileVersion> files(int from, int to) {
    Map<String, FileVersion> files = new LinkedHashMap<>();
    for (int i = from; i < to; i++) {
      int month = 1 + i % 12;
      String number = Integer.toString(1_000_000 + i).substring(1); // six digits
      String path =
          "file:/srv/media/photos/"
              + (2015 + i / 20_000)
              + (month < 10 ? "/0" : "/")
              + month
              + "/IMG_"
              + number
              + ".jpg";
      files.put(path, new FileVersion(1_600_000_000_000L + i * 7_919L, 1_500_000 + i * 37L));
    }
    return files;
  }

  private static WatchState state(Map<String, FileVersion> known) {
    return new WatchState(known, Map.of(), List.of(), known.size());
  }

  private static int serializedSize(WatchState state) throws Exception {
    return WatchStateSerializer.INSTANCE.serialize(state).length;
  }

  private static WatchState roundTrip(WatchState state) throws Exception {
    WatchStateSerializer s = WatchStateSerializer.INSTANCE;
    return s.deserialize(s.getVersion(), s.serialize(state));
  }
}
