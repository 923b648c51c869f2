package dev.imgsearch.job.source;

import static org.assertj.core.api.Assertions.assertThat;

import dev.imgsearch.core.image.RejectReason;
import dev.imgsearch.core.testing.TestVideos;
import dev.imgsearch.core.video.VideoSampling;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.connector.file.src.FileSourceSplit;
import org.apache.flink.connector.file.src.reader.BulkFormat;
import org.apache.flink.connector.file.src.util.CheckpointedPosition;
import org.apache.flink.connector.file.src.util.RecordAndPosition;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The source side of videos: frames as records, their positions, and a restore mid-video. */
class VideoFrameReaderTest {

  @TempDir Path tmp;

  private final WholeFileFormat format = new WholeFileFormat(1 << 20, VideoSampling.defaults());

  /** A record as read, with the position a checkpoint after it would store. */
  record Read(long frameMs, RejectReason error, long skipCount, long videoRecord) {}

  @Test
  void videoIsStreamedAsFramesNotReadWhole() throws Exception {
    // 1.5 MB video, 1 MB limit for whole files: a video is never read whole, so the limit does
    // not apply to it.
    Path video = TestVideos.path(TestVideos.H264_MP4);
    assertThat(Files.size(video)).isGreaterThan(1 << 20);

    List<Read> reads = readAll(format.createReader(new Configuration(), split(video, null)));

    assertThat(reads).hasSize(9);
    assertThat(reads).allSatisfy(r -> assertThat(r.error()).isNull());
    assertThat(reads.get(0).frameMs()).isZero();
    for (int i = 0; i < reads.size(); i++) {
      assertThat(reads.get(i).skipCount()).isEqualTo(i + 1);
      assertThat(reads.get(i).videoRecord()).isEqualTo(i);
      assertThat(reads.get(i).frameMs() / 1000).isEqualTo(i);
    }
  }

  @Test
  void restoredReaderSkipsTheRecordsAlreadyEmitted() throws Exception {
    Path video = TestVideos.path(TestVideos.H264_MP4);
    List<Read> all = readAll(format.createReader(new Configuration(), split(video, null)));

    for (int done : new int[] {1, 4, all.size()}) {
      FileSourceSplit restored =
          split(video, new CheckpointedPosition(CheckpointedPosition.NO_OFFSET, done));
      List<Read> rest = readAll(format.restoreReader(new Configuration(), restored));
      assertThat(rest).as("after %d records", done).isEqualTo(all.subList(done, all.size()));
    }
  }

  @Test
  void truncatedVideoEndsWithOneRecordSayingWhereItStopped() throws Exception {
    Path cut = TestVideos.truncated(TestVideos.H264_MP4, 0.5, tmp.resolve("cut.mp4"));

    List<Read> reads = readAll(format.createReader(new Configuration(), split(cut, null)));

    assertThat(reads.size()).isGreaterThan(2);
    assertThat(reads.subList(0, reads.size() - 1)).allSatisfy(r -> assertThat(r.error()).isNull());
    Read last = reads.get(reads.size() - 1);
    assertThat(last.error()).isEqualTo(RejectReason.VIDEO_DAMAGED);
    assertThat(last.skipCount()).isEqualTo(reads.size());

    // Restored after the last frame, only the damage record is left.
    FileSourceSplit restored =
        split(cut, new CheckpointedPosition(CheckpointedPosition.NO_OFFSET, reads.size() - 1));
    assertThat(readAll(format.restoreReader(new Configuration(), restored))).containsExactly(last);
  }

  @Test
  void videoWithAPathTooLongForTheCollectionIsOneRecordNotOnePerFrame() throws Exception {
    Path deep = tmp;
    for (int i = 0; i < 5; i++) {
      deep = deep.resolve(String.valueOf((char) ('a' + i)).repeat(240));
    }
    Files.createDirectories(deep);
    Path video = Files.copy(TestVideos.path(TestVideos.H264_MP4), deep.resolve("cup.mp4"));

    List<Read> reads = readAll(format.createReader(new Configuration(), split(video, null)));

    assertThat(reads).containsExactly(new Read(-1, RejectReason.PATH_TOO_LONG, 1, 0));
  }

  @Test
  void photosAreStillReadWhole() throws Exception {
    Path photo =
        Files.copy(
            dev.imgsearch.core.testing.TestPhotos.named("coffee.jpg").path(),
            tmp.resolve("coffee.jpg"));
    BulkFormat.Reader<ImageFile> reader =
        format.createReader(new Configuration(), split(photo, null));
    BulkFormat.RecordIterator<ImageFile> batch = reader.readBatch();
    ImageFile file = batch.next().getRecord();
    assertThat(file.video).isFalse();
    assertThat(file.bytes).hasSize((int) Files.size(photo));
  }

  private static FileSourceSplit split(Path file, CheckpointedPosition position) throws Exception {
    return new FileSourceSplit(
        "0",
        org.apache.flink.core.fs.Path.fromLocalFile(file.toFile()),
        0,
        Files.size(file),
        Files.getLastModifiedTime(file).toMillis(),
        Files.size(file),
        new String[0],
        position);
  }

  private static List<Read> readAll(BulkFormat.Reader<ImageFile> reader) throws Exception {
    List<Read> out = new ArrayList<>();
    try (reader) {
      for (BulkFormat.RecordIterator<ImageFile> batch = reader.readBatch();
          batch != null;
          batch = reader.readBatch()) {
        for (RecordAndPosition<ImageFile> r = batch.next(); r != null; r = batch.next()) {
          ImageFile f = r.getRecord();
          assertThat(f.video).isTrue();
          out.add(
              new Read(
                  f.frame == null ? -1 : f.frame.frameMs,
                  f.readError,
                  r.getRecordSkipCount(),
                  f.videoRecord));
        }
        batch.releaseBatch();
      }
    }
    return out;
  }
}
