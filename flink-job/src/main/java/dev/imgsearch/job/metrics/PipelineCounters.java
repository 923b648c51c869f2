package dev.imgsearch.job.metrics;

import dev.imgsearch.core.image.RejectReason;
import java.util.EnumMap;
import java.util.Map;
import org.apache.flink.api.common.accumulators.LongCounter;
import org.apache.flink.api.common.functions.RuntimeContext;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.MetricGroup;

/**
 * Counts files as metrics (live, for dashboards) and as accumulators (exact totals in the job
 * result, for the summary of a {@code once} run).
 */
public final class PipelineCounters {

  private final RuntimeContext context;
  private final Counter filesSeen;
  private final LongCounter filesSeenTotal;
  private final MetricGroup rejectedGroup;
  private final Map<RejectReason, Counter> rejected = new EnumMap<>(RejectReason.class);

  public PipelineCounters(RuntimeContext context) {
    this.context = context;
    MetricGroup group = context.getMetricGroup();
    this.filesSeen = group.counter(JobMetrics.FILES_SEEN);
    this.filesSeenTotal = context.getLongCounter(JobMetrics.FILES_SEEN);
    this.rejectedGroup = group.addGroup(JobMetrics.REJECTED);
  }

  public void fileSeen() {
    filesSeen.inc();
    filesSeenTotal.add(1);
  }

  public void rejected(RejectReason reason) {
    rejected.computeIfAbsent(reason, r -> rejectedGroup.counter(r.name())).inc();
    context.getLongCounter(JobMetrics.REJECTED_PREFIX + reason.name()).add(1);
  }
}
