package dev.imgsearch.job.decode;

import dev.imgsearch.core.image.DecodeException;
import dev.imgsearch.core.image.DecoderOptions;
import dev.imgsearch.core.preprocess.PreprocessSpec;
import dev.imgsearch.job.JobTags;
import dev.imgsearch.job.source.ImageFile;
import dev.imgsearch.job.source.LocalPaths;
import dev.imgsearch.job.source.WholeFileFormat;
import java.time.Duration;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;
import org.apache.flink.util.Collector;

/**
 * Reads a file again once it has stopped changing for the settle time, then decodes it for good.
 * Keyed by path so that the wait is a checkpointed timer, not a blocked thread; only the rare files
 * caught mid-copy take this detour.
 */
public class SettleRetryFunction
    extends KeyedProcessFunction<String, ImageFile, PreprocessedImage> {
  private static final long serialVersionUID = 1L;

  /** A file that keeps changing for this many settle periods is decoded as it is. */
  static final int MAX_WAITS = 30;

  private final DecoderOptions options;
  private final PreprocessSpec spec;
  private final Duration settleTime;
  private final long maxFileBytes;

  private transient ValueState<Waiting> waiting;
  private transient FileDecoder decoder;
  private transient PipelineCounters counters;

  /** The file's mtime when last seen, and how often we waited for it. */
  public static class Waiting {
    public long mtimeMs;
    public int waits;

    public Waiting() {}

    Waiting(long mtimeMs, int waits) {
      this.mtimeMs = mtimeMs;
      this.waits = waits;
    }
  }

  public SettleRetryFunction(
      DecoderOptions options, PreprocessSpec spec, Duration settleTime, long maxFileBytes) {
    this.options = options;
    this.spec = spec;
    this.settleTime = settleTime;
    this.maxFileBytes = maxFileBytes;
  }

  @Override
  public void open(OpenContext openContext) {
    waiting = getRuntimeContext().getState(new ValueStateDescriptor<>("waiting", Waiting.class));
    decoder = new FileDecoder(options, spec);
    counters = new PipelineCounters(getRuntimeContext());
  }

  @Override
  public void processElement(ImageFile file, Context ctx, Collector<PreprocessedImage> out)
      throws Exception {
    waiting.update(new Waiting(file.mtimeMs, 0));
    ctx.timerService().registerProcessingTimeTimer(file.mtimeMs + settleTime.toMillis());
  }

  @Override
  public void onTimer(long timestamp, OnTimerContext ctx, Collector<PreprocessedImage> out)
      throws Exception {
    Waiting w = waiting.value();
    if (w == null) {
      return;
    }
    String path = ctx.getCurrentKey();
    ImageFile file =
        WholeFileFormat.read(LocalPaths.toFlinkPath(path), -1, w.mtimeMs, maxFileBytes);
    long mtime = file.mtimeMs;
    if (mtime != w.mtimeMs && w.waits < MAX_WAITS && file.readError == null) {
      // Still changing: wait until it has been quiet for a whole settle period.
      waiting.update(new Waiting(mtime, w.waits + 1));
      ctx.timerService().registerProcessingTimeTimer(timestamp + settleTime.toMillis());
      return;
    }
    waiting.clear();
    try {
      out.collect(decoder.decode(file));
    } catch (DecodeException e) {
      counters.rejected(e.reason());
      ctx.output(JobTags.REJECTED, Rejection.of(path, e.reason(), e.detail(), timestamp));
    }
  }
}
