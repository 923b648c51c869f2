package dev.imgsearch.job;

import dev.imgsearch.job.metrics.JobMetrics;
import java.util.Map;
import java.util.TreeMap;
import org.apache.flink.api.common.JobExecutionResult;

/** The totals of a finished run, from the job's accumulators. */
public record JobSummary(
    long filesSeen,
    long embedded,
    Map<String, Long> rejectedByReason,
    double seconds,
    double embeddingSeconds,
    long firstRowMs) {

  /** When this JVM started: for a local run, the user's start of the command. */
  private static final long JVM_START_MS =
      java.lang.management.ManagementFactory.getRuntimeMXBean().getStartTime();

  public static JobSummary from(JobExecutionResult result) {
    Map<String, Object> acc = result.getAllAccumulatorResults();
    Map<String, Long> rejected = new TreeMap<>();
    acc.forEach(
        (name, value) -> {
          if (name.startsWith(JobMetrics.REJECTED_PREFIX)) {
            rejected.put(name.substring(JobMetrics.REJECTED_PREFIX.length()), (Long) value);
          }
        });
    return new JobSummary(
        get(acc, JobMetrics.FILES_SEEN),
        get(acc, JobMetrics.EMBEDDED),
        rejected,
        result.getNetRuntime() / 1000.0,
        (get(acc, JobMetrics.LAST_ROW_MS) - get(acc, JobMetrics.FIRST_ROW_MS)) / 1000.0,
        get(acc, JobMetrics.FIRST_ROW_MS));
  }

  /**
   * Rows upserted into Milvus: every embedded row reaches the sink, and a job only finishes after
   * the sink has flushed them all (a failed upsert fails the job instead).
   */
  public long rowsUpserted() {
    return embedded;
  }

  public long rejected() {
    return rejectedByReason.values().stream().mapToLong(Long::longValue).sum();
  }

  /**
   * Steady-state rate: images between the first and the last vector, so that model loading and
   * start-up do not count. With a single image it falls back to the whole run.
   */
  public double imagesPerSecond() {
    if (embedded > 1 && embeddingSeconds > 0) {
      return (embedded - 1) / embeddingSeconds;
    }
    return embedded / Math.max(seconds, 1e-9);
  }

  public String format() {
    StringBuilder sb = new StringBuilder();
    sb.append("Ingest finished in ").append(String.format("%.1f s", seconds)).append('\n');
    sb.append(String.format("  files seen      %d%n", filesSeen));
    sb.append(String.format("  embedded        %d%n", embedded));
    sb.append(String.format("  rejected        %d%n", rejected()));
    rejectedByReason.forEach((reason, n) -> sb.append(String.format("    %-20s %d%n", reason, n)));
    sb.append(String.format("  rows upserted   %d%n", rowsUpserted()));
    sb.append(String.format("  throughput      %.1f images/s", imagesPerSecond()));
    sb.append(String.format(" (from the first to the last vector; %.1f s in all)", seconds));
    if (firstRowMs > 0) {
      sb.append(
          String.format(
              "%n  first vector    %.1f s after this process started",
              (firstRowMs - JVM_START_MS) / 1000.0));
    }
    return sb.toString();
  }

  private static long get(Map<String, Object> acc, String name) {
    Object v = acc.get(name);
    return v == null ? 0 : ((Number) v).longValue();
  }
}
