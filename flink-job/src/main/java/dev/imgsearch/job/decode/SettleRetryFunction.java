package dev.imgsearch.job.decode;

import dev.imgsearch.core.image.DecodeException;
import dev.imgsearch.core.image.DecoderOptions;
import dev.imgsearch.core.preprocess.PreprocessSpec;
import dev.imgsearch.job.metrics.PipelineCounters;
import dev.imgsearch.job.source.ImageFile;
import dev.imgsearch.job.source.LocalPaths;
import dev.imgsearch.job.source.WholeFileFormat;
import java.time.Duration;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.streaming.api.TimeDomain;
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;
import org.apache.flink.util.Collector;

/**
 * Reads a file again once it has stopped changing for the settle time, then decodes it for good.
 * Keyed by path so that the wait is a checkpointed timer, not a blocked thread; only the rare files
 * caught mid-copy take this detour.
 *
 * <p>A bounded ({@code once}) run drops processing-time timers that have not fired when its input
 * ends, which silently lost every file caught mid-copy: seen, but neither embedded nor rejected. So
 * each waiting file also has an event-time timer at the end of time; the final watermark of a
 * bounded input fires it, and the file is then settled on the spot.
 */
public class SettleRetryFunction
    extends KeyedProcessFunction<String, ImageFile, PreprocessedImage> {
  private static final long serialVersionUID = 1L;

  /** A file that keeps changing for this many settle periods is decoded as it is. */
  static final int MAX_WAITS = 30;

  /** The event time that only the final watermark of a bounded input reaches. */
  private static final long END_OF_INPUT = Long.MAX_VALUE;

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
    ctx.timerService().registerEventTimeTimer(END_OF_INPUT);
  }

  /**
   * The input has ended and no timer will fire any more: wait here, on the task's thread, until the
   * file has been quiet for the settle time (at most {@link #MAX_WAITS} periods), then read it.
   */
  private ImageFile settleNow(String path, Waiting w) throws InterruptedException {
    long quietSince = w.mtimeMs;
    int waits = w.waits;
    while (true) {
      long left = quietSince + settleTime.toMillis() - System.currentTimeMillis();
      if (left > 0) {
        Thread.sleep(left);
      }
      ImageFile file =
          WholeFileFormat.read(LocalPaths.toFlinkPath(path), -1, quietSince, maxFileBytes);
      if (file.mtimeMs == quietSince || waits >= MAX_WAITS || file.readError != null) {
        return file;
      }
      quietSince = file.mtimeMs;
      waits++;
    }
  }

  @Override
  public void onTimer(long timestamp, OnTimerContext ctx, Collector<PreprocessedImage> out)
      throws Exception {
    Waiting w = waiting.value();
    if (w == null) {
      return;
    }
    String path = ctx.getCurrentKey();
    ImageFile file;
    if (ctx.timeDomain() == TimeDomain.EVENT_TIME) {
      file = settleNow(path, w);
    } else {
      file = WholeFileFormat.read(LocalPaths.toFlinkPath(path), -1, w.mtimeMs, maxFileBytes);
      long mtime = file.mtimeMs;
      if (mtime != w.mtimeMs && w.waits < MAX_WAITS && file.readError == null) {
        // Still changing: wait until it has been quiet for a whole settle period.
        waiting.update(new Waiting(mtime, w.waits + 1));
        ctx.timerService().registerProcessingTimeTimer(timestamp + settleTime.toMillis());
        return;
      }
      ctx.timerService().deleteEventTimeTimer(END_OF_INPUT);
    }
    waiting.clear();
    try {
      out.collect(decoder.decode(file));
    } catch (DecodeException e) {
      counters.rejected(e.reason());
      ctx.output(
          SideOutputs.REJECTED,
          Rejection.of(path, file.mtimeMs, e.reason(), e.detail(), timestamp));
    }
  }
}
