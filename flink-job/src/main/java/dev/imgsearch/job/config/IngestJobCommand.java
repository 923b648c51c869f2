package dev.imgsearch.job.config;

import dev.imgsearch.core.config.CudaSettings;
import dev.imgsearch.core.config.ModelConfig;
import dev.imgsearch.core.embed.Device;
import dev.imgsearch.core.image.DecoderOptions;
import dev.imgsearch.core.store.IndexType;
import dev.imgsearch.core.store.MetricType;
import dev.imgsearch.core.store.VectorIndex;
import dev.imgsearch.core.video.VideoSampling;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.Locale;
import java.util.Set;
import java.util.stream.Collectors;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/** The job's command line: every option, its default, and its validation. */
@Command(
    name = "flink-job.jar",
    mixinStandardHelpOptions = true,
    version = "imgsearch flink-job 0.1.0",
    abbreviateSynopsis = true,
    sortOptions = false,
    usageHelpAutoWidth = true,
    description = {
      "Watches a folder, embeds every image with an ONNX encoder and upserts the vectors into"
          + " Milvus.",
      "Run locally with java -jar, or submit with flink run; the options are the same."
    },
    footer = {
      "",
      "Environment: MILVUS_URI and MILVUS_TOKEN stand in for --milvus-uri and --token.",
      "Prefer --token-file or MILVUS_TOKEN to --token: arguments are visible in the process list.",
      "Files whose names start with '.' or '_' are skipped: write to such a name, then rename."
    })
public class IngestJobCommand {

  @Spec CommandSpec spec;

  @Option(
      names = "--source",
      required = true,
      paramLabel = "DIR",
      description = "Folder to ingest, recursively.")
  Path source;

  @Option(
      names = "--model",
      required = true,
      paramLabel = "FILE",
      description = "ONNX image encoder (e.g. models/resnet50.onnx).")
  Path model;

  @Option(
      names = "--mode",
      defaultValue = "watch",
      paramLabel = "watch|once",
      description =
          "watch: keep monitoring the folder; once: ingest it and finish. Default: ${DEFAULT-VALUE}.")
  String mode;

  @Mixin MilvusOptions milvus;

  @Option(
      names = "--metric",
      defaultValue = "COSINE",
      paramLabel = "COSINE|L2|IP",
      description = "Vector metric of a new collection. Default: ${DEFAULT-VALUE}.")
  String metric;

  @Option(
      names = "--index",
      defaultValue = "AUTOINDEX",
      paramLabel = "AUTOINDEX|HNSW|IVF_FLAT|FLAT",
      description = "Vector index of a new collection. Default: ${DEFAULT-VALUE}.")
  String index;

  @Option(
      names = "--device",
      defaultValue = "auto",
      paramLabel = "auto|cpu|cuda[:N]",
      description = "Where inference runs. Default: ${DEFAULT-VALUE}.")
  String device;

  @Option(
      names = "--cuda-conv-algo",
      paramLabel = "exhaustive|heuristic|default",
      defaultValue = "exhaustive",
      description =
          "On a GPU: how cuDNN picks convolution algorithms (exhaustive benchmarks each batch"
              + " shape once). Default: ${DEFAULT-VALUE}.")
  String cudaConvAlgo;

  @Option(
      names = "--cuda-mem-limit",
      paramLabel = "SIZE",
      defaultValue = "0",
      description =
          "On a GPU: cap of ONNX Runtime's GPU memory arena, e.g. 8g; 0 = no cap."
              + " Default: ${DEFAULT-VALUE}.")
  String cudaMemLimit;

  @Option(
      names = "--batch-size",
      paramLabel = "N",
      defaultValue = "32",
      description =
          "Most images in inference at once, split among the sessions (batches grow up to that"
              + " while inference is busy); 32 is enough on a CPU, use 128-256 on a GPU."
              + " Default: ${DEFAULT-VALUE}.")
  int batchSize;

  @Option(
      names = "--max-batch-wait-ms",
      paramLabel = "MS",
      defaultValue = "50",
      description = "Longest wait for a batch to fill. Default: ${DEFAULT-VALUE}.")
  long maxBatchWaitMs;

  @Option(
      names = "--intra-op-threads",
      paramLabel = "N",
      defaultValue = "0",
      description =
          "ONNX Runtime threads per session; 0 = the cores divided among the sessions (one"
              + " session: ONNX Runtime's choice, one per physical core). Default: ${DEFAULT-VALUE}.")
  int intraOpThreads;

  @Option(
      names = "--inference-sessions",
      paramLabel = "N",
      defaultValue = "1",
      description =
          "ONNX Runtime sessions per embedder, each running one batch at a time, the cores and the"
              + " batch size split among them; 2 on a CPU is a few percent faster, for a second"
              + " copy of the model in memory. Default: ${DEFAULT-VALUE}.")
  int inferenceSessions;

  @Option(
      names = "--ort-spinning",
      paramLabel = "true|false",
      defaultValue = "true",
      arity = "1",
      description =
          "Let idle ONNX Runtime threads spin; off frees cores for decoding. Default: ${DEFAULT-VALUE}.")
  boolean ortSpinning;

  @Option(
      names = "--parallelism",
      paramLabel = "N",
      defaultValue = "2",
      description = "Parallel file readers and decoders. Default: ${DEFAULT-VALUE}.")
  int parallelism;

  @Option(
      names = "--embed-parallelism",
      paramLabel = "N",
      defaultValue = "1",
      description = "Parallel embedders (each loads the model). Default: ${DEFAULT-VALUE}.")
  int embedParallelism;

  @Option(
      names = "--checkpoint-interval-ms",
      paramLabel = "MS",
      description =
          "Checkpoint interval; 0 turns checkpoints off. Default: 10000 in watch mode, 0 in once mode.")
  Long checkpointIntervalMs;

  @Option(
      names = "--monitor-interval-ms",
      paramLabel = "MS",
      defaultValue = "1000",
      description = "How often the folder is listed in watch mode. Default: ${DEFAULT-VALUE}.")
  long monitorIntervalMs;

  @Option(
      names = "--delete-delay-ms",
      paramLabel = "MS",
      defaultValue = "10000",
      description =
          "Watch mode: a file gone for this long has its rows deleted; a file back sooner keeps"
              + " them. Default: ${DEFAULT-VALUE}.")
  long deleteDelayMs;

  @Option(
      names = "--settle-ms",
      paramLabel = "MS",
      defaultValue = "2000",
      description =
          "A truncated file modified more recently than this is read again later. Default: ${DEFAULT-VALUE}.")
  long settleMs;

  @Option(
      names = "--dead-letter",
      paramLabel = "DIR",
      description = "Folder for rejected files, as JSON lines. Default: log them only.")
  Path deadLetter;

  @Option(
      names = "--extensions",
      paramLabel = "EXT",
      // MPO decodes (its first image); the formats after it are listed so that such files are
      // reported as unsupported instead of being skipped without a word.
      defaultValue = "jpg,jpeg,png,bmp,gif,webp,tif,tiff,mpo,avif,heic,heif,jxl,qoi",
      split = ",",
      description = "File extensions to ingest. Default: ${DEFAULT-VALUE}.")
  String[] extensions;

  @Option(
      names = "--video-extensions",
      paramLabel = "EXT",
      defaultValue = "mp4,mov,mkv,webm,avi",
      split = ",",
      description =
          "Files read as videos, frame by frame; an empty value reads none. Default: ${DEFAULT-VALUE}.")
  String[] videoExtensions;

  @Option(
      names = "--frame-interval-ms",
      paramLabel = "MS",
      defaultValue = "" + VideoSampling.DEFAULT_INTERVAL_MS,
      description = "One video frame per interval is embedded. Default: ${DEFAULT-VALUE}.")
  long frameIntervalMs;

  @Option(
      names = "--max-frames-per-video",
      paramLabel = "N",
      defaultValue = "0",
      description = "At most this many frames per video; 0 = no cap. Default: ${DEFAULT-VALUE}.")
  int maxFramesPerVideo;

  @Option(
      names = "--frame-diff-threshold",
      paramLabel = "X",
      defaultValue = "0",
      description =
          "Skip a frame that differs from the last kept one by less than this (mean absolute"
              + " difference of 16x16 grey thumbnails, 0..1; try 0.02); 0 = keep all."
              + " Default: ${DEFAULT-VALUE}.")
  double frameDiffThreshold;

  @Option(
      names = "--max-pixels",
      paramLabel = "N",
      defaultValue = "" + DecoderOptions.DEFAULT_MAX_PIXELS,
      description = "Refuse images whose header declares more pixels. Default: ${DEFAULT-VALUE}.")
  long maxPixels;

  @Option(
      names = "--max-file-mb",
      paramLabel = "N",
      defaultValue = "256",
      description = "Refuse larger files. Default: ${DEFAULT-VALUE}.")
  int maxFileMb;

  @Option(
      names = "--reduced-decode-min-side",
      paramLabel = "PX",
      defaultValue = "" + DecoderOptions.DEFAULT_REDUCED_DECODE_SHORT_SIDE,
      description =
          "Decode large JPEGs at 1/2, 1/4 or 1/8 size while their short side stays at least PX"
              + " (faster, cosine >= 0.9999 to torchvision at 512); 0 = always exact."
              + " Default: ${DEFAULT-VALUE}.")
  int reducedDecodeMinSide;

  @Option(
      names = "--fast-decode",
      description =
          "Same as --reduced-decode-min-side 256: about 2x faster decoding of ordinary photos,"
              + " with more drift from torchvision (cosine about 0.999).")
  boolean fastDecode;

  @Option(
      names = "--sink-batch-rows",
      paramLabel = "N",
      defaultValue = "256",
      description = "Rows per Milvus upsert. Default: ${DEFAULT-VALUE}.")
  int sinkBatchRows;

  @Option(
      names = "--sink-flush-ms",
      paramLabel = "MS",
      defaultValue = "500",
      description = "Longest time a row waits before it is upserted. Default: ${DEFAULT-VALUE}.")
  long sinkFlushMs;

  /** Validates the options and turns them into the job's typed configuration. */
  public IngestJobConfig toConfig() {
    try {
      IngestJobConfig.Mode parsedMode = parseMode(mode);
      if (!Files.isDirectory(source)) {
        throw new IllegalArgumentException(
            "--source " + source + " is not a folder; create it or point --source at one");
      }
      Set<String> exts =
          Arrays.stream(extensions)
              .map(e -> e.strip().toLowerCase(Locale.ROOT).replaceFirst("^\\.", ""))
              .filter(e -> !e.isEmpty())
              .collect(Collectors.toCollection(LinkedHashSet::new));
      long checkpointMs =
          checkpointIntervalMs != null
              ? checkpointIntervalMs
              : parsedMode == IngestJobConfig.Mode.WATCH ? 10_000 : 0;
      IndexType indexType = IndexType.parse(index);
      VectorIndex vectorIndex =
          switch (indexType) {
            case AUTOINDEX -> VectorIndex.autoIndex();
            case FLAT -> new VectorIndex(IndexType.FLAT, 0, 0, 0);
            case HNSW -> new VectorIndex(IndexType.HNSW, 16, 200, 0);
            case IVF_FLAT -> new VectorIndex(IndexType.IVF_FLAT, 0, 0, 128);
          };
      return new IngestJobConfig(
          source.toAbsolutePath().normalize(),
          parsedMode,
          Duration.ofMillis(monitorIntervalMs),
          exts,
          new DecoderOptions(maxPixels, fastDecode ? 256 : reducedDecodeMinSide),
          (long) maxFileMb << 20,
          Duration.ofMillis(settleMs),
          new ModelConfig(
              model.toAbsolutePath().normalize().toString(),
              Device.parse(device),
              intraOpThreads,
              ortSpinning,
              cudaSettings(),
              inferenceSessions),
          batchSize,
          Duration.ofMillis(maxBatchWaitMs),
          Duration.ofMinutes(2),
          parallelism,
          embedParallelism,
          Duration.ofMillis(checkpointMs),
          deadLetter == null ? null : deadLetter.toAbsolutePath().normalize(),
          milvus.toConfig(),
          MetricType.parse(metric),
          vectorIndex,
          sinkBatchRows,
          Duration.ofMillis(sinkFlushMs),
          new VideoSampling(
              new LinkedHashSet<>(Arrays.asList(videoExtensions)),
              frameIntervalMs,
              maxFramesPerVideo,
              frameDiffThreshold),
          Duration.ofMillis(deleteDelayMs));
    } catch (IllegalArgumentException e) {
      throw new ParameterException(spec.commandLine(), e.getMessage(), e);
    }
  }

  private CudaSettings cudaSettings() {
    CudaSettings.ConvAlgoSearch algo;
    try {
      algo = CudaSettings.ConvAlgoSearch.parse(cudaConvAlgo);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("--cuda-conv-algo: " + e.getMessage());
    }
    try {
      return CudaSettings.defaults()
          .withConvAlgoSearch(algo)
          .withMemLimitBytes(CudaSettings.parseBytes(cudaMemLimit));
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("--cuda-mem-limit: " + e.getMessage());
    }
  }

  private static IngestJobConfig.Mode parseMode(String value) {
    try {
      return IngestJobConfig.Mode.valueOf(value.strip().toUpperCase(Locale.ROOT));
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("--mode must be watch or once, got '" + value + "'");
    }
  }
}
