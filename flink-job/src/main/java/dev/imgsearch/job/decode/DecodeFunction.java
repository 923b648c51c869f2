package dev.imgsearch.job.decode;

import dev.imgsearch.core.image.DecodeException;
import dev.imgsearch.core.image.DecoderOptions;
import dev.imgsearch.core.image.RejectReason;
import dev.imgsearch.core.preprocess.PreprocessSpec;
import dev.imgsearch.job.metrics.PipelineCounters;
import dev.imgsearch.job.source.ImageFile;
import java.time.Duration;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.streaming.api.functions.ProcessFunction;
import org.apache.flink.util.Collector;

/**
 * Decodes and preprocesses each file's content (photos, and the sampled frames of videos), in
 * parallel and chained to the source. A bad file is data: it goes to {@link SideOutputs#REJECTED}
 * with its reason. A file that looks truncated but changed within the settle time is probably still
 * being copied: a reference to it goes to {@link SideOutputs#UNSETTLED}, to be read again later.
 * Lifecycle markers never reach this function ({@link LifecycleRouter}).
 */
public class DecodeFunction extends ProcessFunction<ImageFile, PreprocessedImage> {
  private static final long serialVersionUID = 1L;

  private final DecoderOptions options;
  private final PreprocessSpec spec;
  private final Duration settleTime;

  private transient FileDecoder photos;
  private transient VideoFramePreprocessor frames;
  private transient PipelineCounters counters;

  public DecodeFunction(DecoderOptions options, PreprocessSpec spec, Duration settleTime) {
    this.options = options;
    this.spec = spec;
    this.settleTime = settleTime;
  }

  @Override
  public void open(OpenContext openContext) {
    photos = new FileDecoder(options, spec);
    frames = new VideoFramePreprocessor(spec);
    counters = new PipelineCounters(getRuntimeContext());
  }

  @Override
  public void processElement(ImageFile file, Context ctx, Collector<PreprocessedImage> out) {
    if (!file.video || file.videoRecord == 0) {
      counters.fileSeen(); // a video counts once, with its first record
    }
    long now = ctx.timerService().currentProcessingTime();
    try {
      out.collect(file.video ? frames.preprocess(file) : photos.decode(file));
    } catch (DecodeException e) {
      // A damaged video never waits to settle: its good frames are already on their way, and
      // reading a long video again only to find it still growing would cost more than it saves.
      if (!file.video
          && mayStillBeWritten(e.reason())
          && now - file.mtimeMs < settleTime.toMillis()) {
        ctx.output(SideOutputs.UNSETTLED, file.withoutContent());
        return;
      }
      counters.rejected(e.reason());
      ctx.output(
          SideOutputs.REJECTED, Rejection.of(file.path, file.mtimeMs, e.reason(), e.detail(), now));
    }
  }

  /** What a file that is still being copied looks like. */
  static boolean mayStillBeWritten(RejectReason reason) {
    return reason == RejectReason.TRUNCATED || reason == RejectReason.EMPTY;
  }
}
