package dev.imgsearch.job.sink;

import dev.imgsearch.core.store.ImageRecord;
import dev.imgsearch.job.metrics.JobMetrics;
import org.apache.flink.api.common.accumulators.LongCounter;
import org.apache.flink.api.common.accumulators.LongMaximum;
import org.apache.flink.api.common.accumulators.LongMinimum;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.functions.RichMapFunction;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Counts rows on their way into the sink (an exact total for the job result: when the job ends, the
 * sink has flushed them all) and logs progress every few seconds.
 */
public class ProgressCounter extends RichMapFunction<ImageRecord, ImageRecord> {
  private static final long serialVersionUID = 1L;
  private static final Logger LOG = LoggerFactory.getLogger(ProgressCounter.class);
  private static final long LOG_EVERY_MS = 5_000;

  private transient LongCounter rows;
  private transient LongMinimum firstRow;
  private transient LongMaximum lastRow;
  private transient long started;
  private transient long lastLog;
  private transient long count;

  @Override
  public void open(OpenContext openContext) {
    rows = getRuntimeContext().getLongCounter(JobMetrics.EMBEDDED);
    firstRow = new LongMinimum();
    lastRow = new LongMaximum();
    getRuntimeContext().addAccumulator(JobMetrics.FIRST_ROW_MS, firstRow);
    getRuntimeContext().addAccumulator(JobMetrics.LAST_ROW_MS, lastRow);
    lastLog = System.currentTimeMillis();
  }

  @Override
  public ImageRecord map(ImageRecord row) {
    rows.add(1);
    long now = System.currentTimeMillis();
    if (count++ == 0) {
      started = now;
    }
    firstRow.add(now);
    lastRow.add(now);
    if (now - lastLog >= LOG_EVERY_MS) {
      lastLog = now;
      LOG.info(
          "Progress: {} images embedded ({} images/s since the first)",
          count,
          String.format("%.1f", (count - 1) * 1000.0 / Math.max(1, now - started)));
    }
    return row;
  }
}
