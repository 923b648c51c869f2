package dev.imgsearch.job.decode;

import dev.imgsearch.core.image.DecodeException;
import dev.imgsearch.core.image.DecoderOptions;
import dev.imgsearch.core.image.RejectReason;
import dev.imgsearch.core.preprocess.PreprocessSpec;
import dev.imgsearch.job.JobTags;
import dev.imgsearch.job.source.ImageFile;
import dev.imgsearch.job.video.VideoFramePreprocessor;
import java.time.Duration;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.streaming.api.functions.ProcessFunction;
import org.apache.flink.util.Collector;

/**
 * Decodes and preprocesses each file, in parallel and chained to the source. A bad file is data: it
 * goes to {@link JobTags#REJECTED} with its reason. A file that looks truncated but changed within
 * the settle time is probably still being copied and goes to {@link JobTags#UNSETTLED} to be read
 * again later.
 */
public class DecodeFunction extends ProcessFunction<ImageFile, PreprocessedImage> {
  private static final long serialVersionUID = 1L;

  private final DecoderOptions options;
  private final PreprocessSpec spec;
  private final Duration settleTime;

  private transient FileDecoder decoder;
  private transient VideoFramePreprocessor frames;
  private transient PipelineCounters counters;

  public DecodeFunction(DecoderOptions options, PreprocessSpec spec, Duration settleTime) {
    this.options = options;
    this.spec = spec;
    this.settleTime = settleTime;
  }

  @Override
  public void open(OpenContext openContext) {
    decoder = new FileDecoder(options, spec);
    frames = new VideoFramePreprocessor(spec);
    counters = new PipelineCounters(getRuntimeContext());
  }

  @Override
  public void processElement(ImageFile file, Context ctx, Collector<PreprocessedImage> out) {
    if (file.lifecycle != ImageFile.Lifecycle.CONTENT) {
      ctx.output(JobTags.LIFECYCLE, file); // a marker: no content to decode
      return;
    }
    if (file.video) {
      processVideoRecord(file, ctx, out);
      return;
    }
    counters.fileSeen();
    try {
      out.collect(decoder.decode(file));
    } catch (DecodeException e) {
      long now = ctx.timerService().currentProcessingTime();
      if (mayStillBeWritten(e.reason()) && now - file.mtimeMs < settleTime.toMillis()) {
        file.bytes = null; // read again once settled
        ctx.output(JobTags.UNSETTLED, file);
        return;
      }
      counters.rejected(e.reason());
      ctx.output(JobTags.REJECTED, Rejection.of(file.path, e.reason(), e.detail(), now));
    }
  }

  /**
   * A sampled frame, or why a video stopped. Frames come decoded from the reader, and a damaged
   * video never waits to settle: its good frames are already on their way, and reading a long video
   * again only to find it still growing would cost more than it saves.
   */
  private void processVideoRecord(ImageFile record, Context ctx, Collector<PreprocessedImage> out) {
    if (record.videoRecord == 0) {
      counters.fileSeen();
    }
    try {
      out.collect(frames.preprocess(record));
    } catch (DecodeException e) {
      counters.rejected(e.reason());
      ctx.output(
          JobTags.REJECTED,
          Rejection.of(
              record.path, e.reason(), e.detail(), ctx.timerService().currentProcessingTime()));
    }
  }

  /** What a file that is still being copied looks like. */
  static boolean mayStillBeWritten(RejectReason reason) {
    return reason == RejectReason.TRUNCATED || reason == RejectReason.EMPTY;
  }
}
