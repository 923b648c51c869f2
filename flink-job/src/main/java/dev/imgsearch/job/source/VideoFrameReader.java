package dev.imgsearch.job.source;

import dev.imgsearch.core.image.DecodeException;
import dev.imgsearch.core.image.RejectReason;
import dev.imgsearch.core.store.ImageFields;
import dev.imgsearch.core.video.VideoFrame;
import dev.imgsearch.core.video.VideoFrameSampler;
import dev.imgsearch.core.video.VideoSampling;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Paths;
import org.apache.flink.connector.file.src.FileSourceSplit;
import org.apache.flink.connector.file.src.reader.BulkFormat;
import org.apache.flink.connector.file.src.util.ArrayResultIterator;
import org.apache.flink.connector.file.src.util.CheckpointedPosition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads one video of the watched folder as a stream of records: its sampled frames, then, if
 * decoding stopped at damage, one record that says where. It runs in the source's fetcher thread
 * and hands over a few frames at a time, so a long video neither fills the heap nor holds up
 * checkpoints; the position of each record is its index in the video, and a reader restored from a
 * checkpoint samples the video again and skips the records already emitted (sampling is
 * deterministic, so the skipped records are the same ones).
 */
public final class VideoFrameReader implements BulkFormat.Reader<ImageFile> {
  private static final Logger LOG = LoggerFactory.getLogger(VideoFrameReader.class);

  /** Frames per batch handed to the task thread: a full-HD frame is 6 MB of RGB. */
  static final int FRAMES_PER_BATCH = 2;

  private final FileSourceSplit split;
  private final VideoSampling sampling;
  private final String path;
  private final long sizeBytes;
  private final long mtimeMs;

  private VideoFrameSampler sampler;
  private long emitted;
  private long toSkip;
  private boolean done;

  /**
   * @param alreadyEmitted records of this video emitted before the checkpoint it is restored from
   */
  public VideoFrameReader(FileSourceSplit split, VideoSampling sampling, long alreadyEmitted) {
    this.split = split;
    this.sampling = sampling;
    this.path = LocalPaths.normalize(split.path());
    this.sizeBytes = split.fileSize();
    this.mtimeMs = split.fileModificationTime();
    this.toSkip = alreadyEmitted;
  }

  @Override
  public BulkFormat.RecordIterator<ImageFile> readBatch() throws IOException {
    if (done) {
      return null;
    }
    ImageFile[] batch = new ImageFile[FRAMES_PER_BATCH];
    int n = 0;
    long first = emitted;
    while (n < FRAMES_PER_BATCH && !done) {
      ImageFile record = nextRecord();
      if (record == null) {
        done = true;
        break;
      }
      record.videoRecord = emitted;
      emitted++;
      if (toSkip > 0) {
        toSkip--;
        first = emitted;
        continue;
      }
      batch[n++] = record;
    }
    if (n == 0) {
      close();
      return null;
    }
    ArrayResultIterator<ImageFile> it = new ArrayResultIterator<>();
    it.set(batch, n, CheckpointedPosition.NO_OFFSET, first);
    return it;
  }

  /** The next frame, or the record that says why the video stopped, or null at the end. */
  private ImageFile nextRecord() {
    if (sampler == null) {
      int pathBytes = path.getBytes(StandardCharsets.UTF_8).length;
      if (pathBytes > ImageFields.FILEPATH_MAX_LENGTH) {
        // Checked once here rather than once per frame: one dead letter for the whole video.
        done = true;
        return failed(
            new DecodeException(
                RejectReason.PATH_TOO_LONG,
                "path has "
                    + pathBytes
                    + " UTF-8 bytes, limit is "
                    + ImageFields.FILEPATH_MAX_LENGTH));
      }
      try {
        sampler = VideoFrameSampler.open(Paths.get(path), sampling);
      } catch (DecodeException e) {
        done = true;
        return failed(e);
      }
    }
    VideoFrame frame = sampler.next();
    if (frame != null) {
      ImageFile f = ImageFile.read(path, null, sizeBytes, mtimeMs);
      f.video = true;
      f.frame = RawFrame.of(frame);
      return f;
    }
    done = true;
    if (sampler.damage().isPresent()) {
      DecodeException damage = sampler.damage().get();
      LOG.warn("Video {} is damaged: {}", path, damage.detail());
      return failed(damage);
    }
    LOG.debug(
        "Video {}: {} frames of {} decoded",
        path,
        sampler.framesEmitted(),
        sampler.framesDecoded());
    return null;
  }

  private ImageFile failed(DecodeException e) {
    ImageFile f = ImageFile.failed(path, sizeBytes, mtimeMs, e.reason(), e.detail());
    f.video = true;
    return f;
  }

  @Override
  public void close() {
    if (sampler != null) {
      sampler.close();
      sampler = null;
    }
  }

  @Override
  public String toString() {
    return "VideoFrameReader{" + split.path() + ", " + emitted + " records}";
  }
}
