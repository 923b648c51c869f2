package dev.imgsearch.job.config;

import static dev.imgsearch.options.Values.inRange;
import static dev.imgsearch.options.Values.notNegative;
import static dev.imgsearch.options.Values.positive;

import dev.imgsearch.core.config.CudaSettings;
import dev.imgsearch.core.config.MilvusConfig;
import dev.imgsearch.core.config.ModelConfig;
import dev.imgsearch.core.image.DecoderOptions;
import dev.imgsearch.core.store.CollectionSpec;
import dev.imgsearch.core.store.IndexType;
import dev.imgsearch.core.store.MetricType;
import dev.imgsearch.core.store.VectorIndex;
import dev.imgsearch.core.video.VideoSampling;
import dev.imgsearch.job.config.IngestOptions.Mode;
import dev.imgsearch.options.MilvusOptions;
import dev.imgsearch.options.ModelOptions;
import java.io.Serializable;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import org.apache.flink.configuration.ConfigOption;
import org.apache.flink.configuration.ReadableConfig;

/**
 * Everything the ingestion job is configured with, typed and validated, as read from Flink's
 * configuration by {@link #from}: the {@link IngestOptions} keys, whether they came from {@code
 * -D}, {@code config.yaml} or the job's flags. Operators take the parts they need.
 *
 * @param deadLetterDir folder for the JSON-lines dead-letter files; null logs rejects only
 */
public record IngestJobConfig(
    Source source,
    DecoderOptions decoder,
    VideoSampling video,
    ModelConfig model,
    Inference inference,
    MilvusConfig milvus,
    NewCollection collection,
    Sink sink,
    Parallelism parallelism,
    Path deadLetterDir)
    implements Serializable {

  /**
   * The folder and how it is followed.
   *
   * @param path absolute, normalized
   * @param deleteDelay watch mode: how long a file must stay gone before its rows are deleted
   */
  public record Source(
      Path path,
      Mode mode,
      Duration monitorInterval,
      Set<String> extensions,
      long maxFileBytes,
      Duration settleTime,
      Duration deleteDelay)
      implements Serializable {
    public Source {
      Objects.requireNonNull(path, "path");
      Objects.requireNonNull(mode, "mode");
      extensions = Set.copyOf(extensions);
    }
  }

  /** Micro-batching of the embedding operator. */
  public record Inference(int batchSize, Duration maxBatchWait, Duration timeout)
      implements Serializable {

    /** In-flight records of the async operator: enough to keep a batch filling while one runs. */
    public int asyncCapacity() {
      return Math.max(4 * batchSize, 64);
    }

    /** The async operator's timeout: a full batch wait plus a generous inference time. */
    public Duration asyncTimeout() {
      return timeout.plus(maxBatchWait);
    }
  }

  /** The vector index and metric of a collection the job creates. */
  public record NewCollection(MetricType metric, VectorIndex index) implements Serializable {
    public CollectionSpec spec(int dimension) {
      return new CollectionSpec(dimension, metric, index);
    }
  }

  /** How the Milvus sink batches and how many requests it keeps in flight. */
  public record Sink(int batchRows, Duration flushInterval, int maxInFlight)
      implements Serializable {}

  /**
   * Operator parallelism set by the job's own options; 0 leaves an operator at the environment's
   * default (flink run -p, parallelism.default).
   */
  public record Parallelism(int decode, int inference) implements Serializable {
    public static final int ENVIRONMENT_DEFAULT = 0;
  }

  public IngestJobConfig {
    Objects.requireNonNull(source, "source");
    Objects.requireNonNull(model, "model");
    Objects.requireNonNull(milvus, "milvus");
    Objects.requireNonNull(video, "video");
  }

  public Mode mode() {
    return source.mode();
  }

  /** The same job with other model settings (the copy of the model that runs). */
  public IngestJobConfig withModel(ModelConfig value) {
    return new IngestJobConfig(
        source,
        decoder,
        video,
        value,
        inference,
        milvus,
        collection,
        sink,
        parallelism,
        deadLetterDir);
  }

  /**
   * Reads and validates every setting.
   *
   * @param environment where $MILVUS_URI, $MILVUS_TOKEN and $IMGSEARCH_MODEL are read
   * @throws IllegalArgumentException naming the option key and the fix
   */
  public static IngestJobConfig from(ReadableConfig conf, Map<String, String> environment) {
    return new IngestJobConfig(
        source(conf),
        new DecoderOptions(
            positiveLong(conf, IngestOptions.MAX_PIXELS),
            inRange(conf, IngestOptions.REDUCED_DECODE_MIN_SIDE, 0, 1 << 16)),
        new VideoSampling(
            extensions(conf, IngestOptions.VIDEO_EXTENSIONS),
            positive(conf, IngestOptions.FRAME_INTERVAL).toMillis(),
            inRange(conf, IngestOptions.MAX_FRAMES, 0, Integer.MAX_VALUE),
            frameDiffThreshold(conf)),
        model(conf, environment),
        new Inference(
            inRange(conf, IngestOptions.BATCH_SIZE, 1, 1024),
            positive(conf, IngestOptions.MAX_BATCH_WAIT),
            positive(conf, IngestOptions.INFERENCE_TIMEOUT)),
        MilvusOptions.toConfig(conf, environment),
        new NewCollection(conf.get(IngestOptions.METRIC), index(conf.get(IngestOptions.INDEX))),
        new Sink(
            inRange(conf, IngestOptions.SINK_BATCH_ROWS, 1, 4096),
            positive(conf, IngestOptions.SINK_FLUSH_INTERVAL),
            inRange(conf, IngestOptions.SINK_MAX_IN_FLIGHT, 1, 64)),
        new Parallelism(
            parallelism(conf, IngestOptions.DECODE_PARALLELISM),
            parallelism(conf, IngestOptions.INFERENCE_PARALLELISM)),
        conf.getOptional(IngestOptions.DEAD_LETTER).map(IngestJobConfig::absolute).orElse(null));
  }

  private static Source source(ReadableConfig conf) {
    String folder =
        conf.getOptional(IngestOptions.SOURCE)
            .orElseThrow(
                () ->
                    new IllegalArgumentException(
                        "no folder to ingest: set "
                            + IngestOptions.SOURCE.key()
                            + " (--source DIR) to the folder of images"));
    Path path = absolute(folder);
    if (!Files.isDirectory(path)) {
      throw new IllegalArgumentException(
          IngestOptions.SOURCE.key()
              + " "
              + path
              + " is not a folder; create it or point the option at one");
    }
    Set<String> extensions = extensions(conf, IngestOptions.EXTENSIONS);
    if (extensions.isEmpty()) {
      throw new IllegalArgumentException(
          IngestOptions.EXTENSIONS.key() + " is empty; at least one file extension is needed");
    }
    long maxFileBytes = conf.get(IngestOptions.MAX_FILE_SIZE).getBytes();
    if (maxFileBytes < 1 || maxFileBytes > Integer.MAX_VALUE - 8) {
      throw new IllegalArgumentException(
          IngestOptions.MAX_FILE_SIZE.key() + " must be between 1 byte and 2047 mb");
    }
    return new Source(
        path,
        conf.get(IngestOptions.MODE),
        positive(conf, IngestOptions.MONITOR_INTERVAL),
        extensions,
        maxFileBytes,
        notNegative(conf, IngestOptions.SETTLE_TIME),
        notNegative(conf, IngestOptions.DELETE_DELAY));
  }

  private static ModelConfig model(ReadableConfig conf, Map<String, String> environment) {
    long memLimit = conf.get(IngestOptions.CUDA_MEM_LIMIT).getBytes();
    return ModelOptions.toConfig(conf, environment)
        .withIntraOpThreads(inRange(conf, IngestOptions.INTRA_OP_THREADS, 0, 1024))
        .withAllowSpinning(conf.get(IngestOptions.SPINNING))
        .withCuda(
            CudaSettings.defaults()
                .withConvAlgoSearch(conf.get(IngestOptions.CUDA_CONV_ALGO))
                .withMemLimitBytes(memLimit))
        .withSessions(inRange(conf, IngestOptions.SESSIONS, 1, 64))
        .withBatchPadding(conf.get(IngestOptions.BATCH_PADDING));
  }

  private static VectorIndex index(IndexType type) {
    return switch (type) {
      case AUTOINDEX -> VectorIndex.autoIndex();
      case FLAT -> VectorIndex.flat();
      case HNSW -> VectorIndex.hnsw(16, 200);
      case IVF_FLAT -> VectorIndex.ivfFlat(128);
    };
  }

  private static int parallelism(ReadableConfig conf, ConfigOption<Integer> option) {
    if (conf.getOptional(option).isEmpty()) {
      return Parallelism.ENVIRONMENT_DEFAULT;
    }
    return inRange(conf, option, 1, 32768);
  }

  private static long positiveLong(ReadableConfig conf, ConfigOption<Long> option) {
    long value = conf.get(option);
    if (value < 1) {
      throw new IllegalArgumentException(option.key() + " is " + value + "; use 1 or more");
    }
    return value;
  }

  private static double frameDiffThreshold(ReadableConfig conf) {
    double value = conf.get(IngestOptions.FRAME_DIFF_THRESHOLD);
    if (!(value >= 0 && value < 1)) {
      throw new IllegalArgumentException(
          IngestOptions.FRAME_DIFF_THRESHOLD.key() + " is " + value + "; use 0 (off) up to 1");
    }
    return value;
  }

  private static Set<String> extensions(ReadableConfig conf, ConfigOption<List<String>> option) {
    Set<String> out = new LinkedHashSet<>();
    for (String e : conf.get(option)) {
      String ext = e.strip().toLowerCase(Locale.ROOT).replaceFirst("^\\.", "");
      if (!ext.isEmpty()) {
        out.add(ext);
      }
    }
    return out;
  }

  private static Path absolute(String path) {
    return Path.of(path).toAbsolutePath().normalize();
  }
}
