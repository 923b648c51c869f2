package dev.imgsearch.job.config;

import static org.apache.flink.configuration.ConfigOptions.key;

import dev.imgsearch.core.config.BatchPadding;
import dev.imgsearch.core.config.CudaSettings;
import dev.imgsearch.core.image.DecoderOptions;
import dev.imgsearch.core.store.IndexType;
import dev.imgsearch.core.store.MetricType;
import dev.imgsearch.core.video.VideoSampling;
import dev.imgsearch.options.Flag;
import dev.imgsearch.options.MilvusOptions;
import dev.imgsearch.options.ModelOptions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.apache.flink.configuration.CheckpointingOptions;
import org.apache.flink.configuration.ConfigOption;
import org.apache.flink.configuration.MemorySize;

/**
 * Every setting of the ingestion job, declared once as a Flink {@link ConfigOption} with its key,
 * type, default and description, in the manner of Flink's own connectors: set them with {@code
 * flink run -Dimgsearch.inference.batch-size=128}, in {@code config.yaml}, in a FlinkDeployment's
 * {@code flinkConfiguration}, or with the job's flags ({@link #FLAGS}), which are shorthands for
 * the same keys. The Milvus and model settings are shared with the CLI ({@link MilvusOptions},
 * {@link ModelOptions}). Parallelism and checkpointing are Flink's own settings; the job sets an
 * operator's parallelism only when its option below is set.
 */
public final class IngestOptions {

  /** What the job does with the folder. */
  public enum Mode {
    /** Keep monitoring the folder: new, changed and deleted files are followed. */
    WATCH,
    /** Ingest what is there, then finish with a summary. */
    ONCE;

    @Override
    public String toString() {
      return name().toLowerCase(java.util.Locale.ROOT);
    }
  }

  // --- source ------------------------------------------------------------------------------------

  public static final ConfigOption<String> SOURCE =
      key("imgsearch.source.path")
          .stringType()
          .noDefaultValue()
          .withDescription("Folder to ingest, recursively. Required.");

  public static final ConfigOption<Mode> MODE =
      key("imgsearch.source.mode")
          .enumType(Mode.class)
          .defaultValue(Mode.WATCH)
          .withDescription(
              "watch: keep monitoring the folder; once: ingest what is there and finish with a"
                  + " summary.");

  public static final ConfigOption<Duration> MONITOR_INTERVAL =
      key("imgsearch.source.monitor-interval")
          .durationType()
          .defaultValue(Duration.ofSeconds(1))
          .withDescription("Watch mode: how often the folder is listed.");

  public static final ConfigOption<List<String>> EXTENSIONS =
      key("imgsearch.source.extensions")
          .stringType()
          .asList()
          .defaultValues(
              "jpg", "jpeg", "png", "bmp", "gif", "webp", "tif", "tiff", "mpo", "avif", "heic",
              "heif", "jxl", "qoi")
          .withDescription(
              "File extensions read as images. MPO decodes its first image, AVIF, HEIC and HEIF"
                  + " decode through FFmpeg; jxl and qoi are listed so that such files go to the"
                  + " dead-letter output as unsupported instead of being skipped silently.");

  public static final ConfigOption<MemorySize> MAX_FILE_SIZE =
      key("imgsearch.source.max-file-size")
          .memoryType()
          .defaultValue(MemorySize.ofMebiBytes(256))
          .withDescription("Larger files are rejected (TOO_LARGE) without being read.");

  public static final ConfigOption<Duration> SETTLE_TIME =
      key("imgsearch.source.settle-time")
          .durationType()
          .defaultValue(Duration.ofSeconds(2))
          .withDescription(
              "A truncated file modified more recently than this is read again once it has"
                  + " stopped changing (it is probably still being copied).");

  public static final ConfigOption<Duration> DELETE_DELAY =
      key("imgsearch.source.delete-delay")
          .durationType()
          .defaultValue(Duration.ofSeconds(10))
          .withDescription(
              "Watch mode: a file gone for this long has its rows deleted; one back sooner keeps"
                  + " them.");

  // --- decoding ----------------------------------------------------------------------------------

  public static final ConfigOption<Integer> DECODE_PARALLELISM =
      key("imgsearch.decode.parallelism")
          .intType()
          .noDefaultValue()
          .withDescription(
              "Parallel file readers and decoders. Default: the job's parallelism (flink run -p,"
                  + " parallelism.default); 2 when run with java -jar.");

  public static final ConfigOption<Long> MAX_PIXELS =
      key("imgsearch.decode.max-pixels")
          .longType()
          .defaultValue(DecoderOptions.DEFAULT_MAX_PIXELS)
          .withDescription(
              "Images whose header declares more pixels are rejected before they are decoded.");

  public static final ConfigOption<Integer> REDUCED_DECODE_MIN_SIDE =
      key("imgsearch.decode.reduced-min-side")
          .intType()
          .defaultValue(DecoderOptions.DEFAULT_REDUCED_DECODE_SHORT_SIDE)
          .withDescription(
              "Large JPEGs are decoded at 1/2, 1/4 or 1/8 size while their short side stays at"
                  + " least this long (faster; cosine >= 0.9999 to torchvision at 512); 0 decodes"
                  + " every image exactly.");

  // --- video -------------------------------------------------------------------------------------

  public static final ConfigOption<List<String>> VIDEO_EXTENSIONS =
      key("imgsearch.video.extensions")
          .stringType()
          .asList()
          .defaultValues(VideoSampling.DEFAULT_EXTENSIONS.stream().sorted().toArray(String[]::new))
          .withDescription("File extensions read as videos, frame by frame; empty reads none.");

  public static final ConfigOption<Duration> FRAME_INTERVAL =
      key("imgsearch.video.frame-interval")
          .durationType()
          .defaultValue(Duration.ofMillis(VideoSampling.DEFAULT_INTERVAL_MS))
          .withDescription("One video frame per interval is embedded.");

  public static final ConfigOption<Integer> MAX_FRAMES =
      key("imgsearch.video.max-frames")
          .intType()
          .defaultValue(0)
          .withDescription("At most this many frames per video; 0 = no cap.");

  public static final ConfigOption<Double> FRAME_DIFF_THRESHOLD =
      key("imgsearch.video.frame-diff-threshold")
          .doubleType()
          .defaultValue(0.0)
          .withDescription(
              "Skip a frame that differs from the last kept one by less than this (mean absolute"
                  + " difference of 16x16 grey thumbnails, 0..1; try 0.02); 0 keeps every sampled"
                  + " frame.");

  // --- inference ---------------------------------------------------------------------------------

  public static final ConfigOption<Integer> INFERENCE_PARALLELISM =
      key("imgsearch.inference.parallelism")
          .intType()
          .noDefaultValue()
          .withDescription(
              "Parallel embedders, each with its own copy of the model (on a GPU TaskManager, one"
                  + " per GPU). Default: the job's parallelism; 1 when run with java -jar.");

  public static final ConfigOption<Integer> BATCH_SIZE =
      key("imgsearch.inference.batch-size")
          .intType()
          .defaultValue(32)
          .withDescription(
              "Most images in inference at once, split among the sessions; batches grow up to it"
                  + " while inference is busy. 32 is enough on a CPU; 128-256 on a GPU.");

  public static final ConfigOption<Duration> MAX_BATCH_WAIT =
      key("imgsearch.inference.max-batch-wait")
          .durationType()
          .defaultValue(Duration.ofMillis(50))
          .withDescription("Longest wait for a batch to fill while the embedder is idle.");

  public static final ConfigOption<Duration> INFERENCE_TIMEOUT =
      key("imgsearch.inference.timeout")
          .durationType()
          .defaultValue(Duration.ofMinutes(2))
          .withDescription(
              "An image not embedded within this time (plus the batch wait) is queued again.");

  public static final ConfigOption<Integer> SESSIONS =
      key("imgsearch.inference.sessions")
          .intType()
          .defaultValue(1)
          .withDescription(
              "ONNX Runtime sessions per embedder, each running one batch at a time with the cores"
                  + " and the batch size split among them; 2 on a CPU is a few percent faster for"
                  + " a second copy of the model in memory.");

  public static final ConfigOption<Integer> INTRA_OP_THREADS =
      key("imgsearch.inference.intra-op-threads")
          .intType()
          .defaultValue(0)
          .withDescription(
              "ONNX Runtime threads per session; 0 = the cores divided among the sessions (one"
                  + " session: ONNX Runtime's choice, one per physical core).");

  public static final ConfigOption<Boolean> SPINNING =
      key("imgsearch.inference.spinning")
          .booleanType()
          .defaultValue(true)
          .withDescription("Idle ONNX Runtime threads spin; false leaves the cores to decoders.");

  public static final ConfigOption<CudaSettings.ConvAlgoSearch> CUDA_CONV_ALGO =
      key("imgsearch.inference.cuda.conv-algo")
          .enumType(CudaSettings.ConvAlgoSearch.class)
          .defaultValue(CudaSettings.ConvAlgoSearch.EXHAUSTIVE)
          .withDescription(
              "On a GPU: how cuDNN picks convolution algorithms (exhaustive benchmarks each batch"
                  + " shape once; heuristic starts faster).");

  public static final ConfigOption<MemorySize> CUDA_MEM_LIMIT =
      key("imgsearch.inference.cuda.mem-limit")
          .memoryType()
          .defaultValue(MemorySize.ZERO)
          .withDescription(
              "On a GPU: cap of ONNX Runtime's GPU memory arena, e.g. 8g; 0 = no cap.");

  public static final ConfigOption<BatchPadding> BATCH_PADDING =
      key("imgsearch.inference.batch-padding")
          .enumType(BatchPadding.class)
          .defaultValue(BatchPadding.AUTO)
          .withDescription(
              "Pad partial batches to powers of two (buckets) so that each batch shape is planned"
                  + " once, at warm-up: auto = on CUDA only; buckets; none.");

  // --- collection and sink -----------------------------------------------------------------------

  public static final ConfigOption<MetricType> METRIC =
      key("imgsearch.milvus.metric")
          .enumType(MetricType.class)
          .defaultValue(MetricType.COSINE)
          .withDescription("Vector metric of a new collection; an existing one is validated.");

  public static final ConfigOption<IndexType> INDEX =
      key("imgsearch.milvus.index")
          .enumType(IndexType.class)
          .defaultValue(IndexType.AUTOINDEX)
          .withDescription("Vector index of a new collection.");

  public static final ConfigOption<Integer> SINK_BATCH_ROWS =
      key("imgsearch.sink.batch-rows")
          .intType()
          .defaultValue(256)
          .withDescription("Rows per Milvus upsert.");

  public static final ConfigOption<Duration> SINK_FLUSH_INTERVAL =
      key("imgsearch.sink.flush-interval")
          .durationType()
          .defaultValue(Duration.ofMillis(500))
          .withDescription("Longest time a row waits in the sink before it is upserted.");

  public static final ConfigOption<Integer> SINK_MAX_IN_FLIGHT =
      key("imgsearch.sink.max-in-flight")
          .intType()
          .defaultValue(2)
          .withDescription(
              "Upserts and deletes sent but not yet answered, per sink writer; at the limit the"
                  + " sink takes no more input (backpressure) until Milvus answers.");

  public static final ConfigOption<String> DEAD_LETTER =
      key("imgsearch.dead-letter.path")
          .stringType()
          .noDefaultValue()
          .withDescription(
              "Folder for rejected files, as JSON lines (path, reason, detail, fix, time)."
                  + " Default: they are logged only.");

  /** The job's own options, in the order of the documentation. */
  public static final List<ConfigOption<?>> JOB =
      List.of(
          SOURCE,
          MODE,
          MONITOR_INTERVAL,
          EXTENSIONS,
          MAX_FILE_SIZE,
          SETTLE_TIME,
          DELETE_DELAY,
          DECODE_PARALLELISM,
          MAX_PIXELS,
          REDUCED_DECODE_MIN_SIDE,
          VIDEO_EXTENSIONS,
          FRAME_INTERVAL,
          MAX_FRAMES,
          FRAME_DIFF_THRESHOLD,
          INFERENCE_PARALLELISM,
          BATCH_SIZE,
          MAX_BATCH_WAIT,
          INFERENCE_TIMEOUT,
          SESSIONS,
          INTRA_OP_THREADS,
          SPINNING,
          CUDA_CONV_ALGO,
          CUDA_MEM_LIMIT,
          BATCH_PADDING,
          METRIC,
          INDEX,
          SINK_BATCH_ROWS,
          SINK_FLUSH_INTERVAL,
          SINK_MAX_IN_FLIGHT,
          DEAD_LETTER);

  /** Every option the job reads, its own and the shared ones. */
  public static final List<ConfigOption<?>> ALL = all();

  /** The job's flags, in the order --help lists them: shorthands for the options above. */
  public static final List<Flag> FLAGS = flags();

  private IngestOptions() {}

  private static List<ConfigOption<?>> all() {
    List<ConfigOption<?>> all = new ArrayList<>(JOB);
    all.addAll(1, ModelOptions.ALL);
    all.addAll(MilvusOptions.ALL);
    return List.copyOf(all);
  }

  private static List<Flag> flags() {
    List<Flag> flags = new ArrayList<>();
    flags.add(Flag.of("--source", "DIR", SOURCE));
    flags.addAll(ModelOptions.FLAGS);
    flags.add(Flag.of("--mode", "watch|once", MODE));
    flags.addAll(MilvusOptions.FLAGS);
    flags.addAll(
        List.of(
            Flag.of("--metric", "COSINE|L2|IP", METRIC),
            Flag.of("--index", "AUTOINDEX|HNSW|IVF_FLAT|FLAT", INDEX),
            Flag.of("--batch-size", "N", BATCH_SIZE),
            Flag.millis("--max-batch-wait-ms", MAX_BATCH_WAIT),
            Flag.of("--inference-sessions", "N", SESSIONS),
            Flag.of("--intra-op-threads", "N", INTRA_OP_THREADS),
            Flag.of("--ort-spinning", "true|false", SPINNING),
            Flag.of("--cuda-conv-algo", "exhaustive|heuristic|default", CUDA_CONV_ALGO),
            Flag.of("--cuda-mem-limit", "SIZE", CUDA_MEM_LIMIT),
            Flag.of("--batch-padding", "auto|buckets|none", BATCH_PADDING),
            Flag.of("--parallelism", "N", DECODE_PARALLELISM),
            Flag.of("--embed-parallelism", "N", INFERENCE_PARALLELISM),
            Flag.millis("--checkpoint-interval-ms", CheckpointingOptions.CHECKPOINTING_INTERVAL)
                .withDefaultText(
                    "the cluster's; if none is set, 10 s in watch mode and none in once mode")
                .withHelp("Checkpoint interval (Flink's own option); 0 turns checkpoints off."),
            Flag.millis("--monitor-interval-ms", MONITOR_INTERVAL),
            Flag.millis("--delete-delay-ms", DELETE_DELAY),
            Flag.millis("--settle-ms", SETTLE_TIME),
            Flag.of("--dead-letter", "DIR", DEAD_LETTER),
            Flag.list("--extensions", "EXT,...", EXTENSIONS),
            Flag.list("--video-extensions", "EXT,...", VIDEO_EXTENSIONS),
            Flag.millis("--frame-interval-ms", FRAME_INTERVAL),
            Flag.of("--max-frames-per-video", "N", MAX_FRAMES),
            Flag.of("--frame-diff-threshold", "X", FRAME_DIFF_THRESHOLD),
            Flag.of("--max-pixels", "N", MAX_PIXELS),
            Flag.of("--max-file-mb", "N", MAX_FILE_SIZE).withValue(mb -> mb + " mb"),
            Flag.of("--reduced-decode-min-side", "PX", REDUCED_DECODE_MIN_SIDE),
            Flag.constant(
                "--fast-decode",
                REDUCED_DECODE_MIN_SIDE,
                "256",
                "Same as --reduced-decode-min-side 256: about 2x faster decoding of ordinary"
                    + " photos, with more drift from torchvision (cosine about 0.999)."),
            Flag.of("--sink-batch-rows", "N", SINK_BATCH_ROWS),
            Flag.millis("--sink-flush-ms", SINK_FLUSH_INTERVAL),
            Flag.of("--sink-max-in-flight", "N", SINK_MAX_IN_FLIGHT)));
    return List.copyOf(flags);
  }
}
