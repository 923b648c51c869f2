package dev.imgsearch.job.config;

import dev.imgsearch.core.config.MilvusConfig;
import dev.imgsearch.core.config.ModelConfig;
import dev.imgsearch.core.image.DecoderOptions;
import dev.imgsearch.core.store.MetricType;
import dev.imgsearch.core.store.VectorIndex;
import dev.imgsearch.core.video.VideoSampling;
import java.io.Serializable;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Objects;
import java.util.Set;

/**
 * Everything the ingestion job is configured with, typed and validated in one place. The command
 * line ({@link IngestJobCommand}) builds it; operators take the parts they need.
 *
 * @param checkpointInterval {@link Duration#ZERO} turns checkpointing off
 * @param deadLetterDir folder for the JSON-lines dead-letter files; null logs rejects only
 * @param video which files are videos and which of their frames are embedded
 * @param deleteDelay watch mode: how long a file must stay gone before its rows are deleted
 */
public record IngestJobConfig(
    Path source,
    Mode mode,
    Duration monitorInterval,
    Set<String> extensions,
    DecoderOptions decoder,
    long maxFileBytes,
    Duration settleTime,
    ModelConfig model,
    int batchSize,
    Duration maxBatchWait,
    Duration inferenceTimeout,
    int parallelism,
    int embedParallelism,
    Duration checkpointInterval,
    Path deadLetterDir,
    MilvusConfig milvus,
    MetricType metric,
    VectorIndex index,
    int sinkBatchRows,
    Duration sinkMaxBufferTime,
    VideoSampling video,
    Duration deleteDelay)
    implements Serializable {

  /**
   * {@code watch}: keep monitoring the folder; {@code once}: process what is there, then finish.
   */
  public enum Mode {
    WATCH,
    ONCE
  }

  public IngestJobConfig {
    Objects.requireNonNull(source, "source");
    Objects.requireNonNull(mode, "mode");
    Objects.requireNonNull(model, "model");
    Objects.requireNonNull(milvus, "milvus");
    Objects.requireNonNull(video, "video");
    extensions = Set.copyOf(extensions);
    requirePositive("monitor interval", monitorInterval);
    requirePositive("max batch wait", maxBatchWait);
    requirePositive("inference timeout", inferenceTimeout);
    requirePositive("sink max buffer time", sinkMaxBufferTime);
    if (settleTime.isNegative()) {
      throw new IllegalArgumentException("settle time must not be negative, got " + settleTime);
    }
    if (deleteDelay == null || deleteDelay.isNegative()) {
      throw new IllegalArgumentException("delete delay must not be negative, got " + deleteDelay);
    }
    if (checkpointInterval.isNegative()) {
      throw new IllegalArgumentException(
          "checkpoint interval must not be negative, got " + checkpointInterval);
    }
    if (batchSize < 1 || batchSize > 1024) {
      throw new IllegalArgumentException("batch size must be between 1 and 1024, got " + batchSize);
    }
    if (parallelism < 1 || embedParallelism < 1) {
      throw new IllegalArgumentException(
          "parallelism and embed parallelism must be >= 1, got "
              + parallelism
              + " and "
              + embedParallelism);
    }
    if (extensions.isEmpty()) {
      throw new IllegalArgumentException("at least one file extension is needed");
    }
  }

  /** In-flight records of the async operator: enough to keep a batch filling while one runs. */
  public int asyncCapacity() {
    return Math.max(4 * batchSize, 64);
  }

  /** The async operator's timeout: a full batch wait plus a generous inference time. */
  public Duration asyncTimeout() {
    return inferenceTimeout.plus(maxBatchWait);
  }

  private static void requirePositive(String name, Duration d) {
    if (d == null || d.isNegative() || d.isZero()) {
      throw new IllegalArgumentException(name + " must be positive, got " + d);
    }
  }
}
