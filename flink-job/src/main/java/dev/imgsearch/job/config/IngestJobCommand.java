package dev.imgsearch.job.config;

import dev.imgsearch.core.config.ModelConfig;
import dev.imgsearch.core.embed.Device;
import dev.imgsearch.core.image.DecoderOptions;
import dev.imgsearch.core.store.IndexType;
import dev.imgsearch.core.store.MetricType;
import dev.imgsearch.core.store.VectorIndex;
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
      names = "--batch-size",
      paramLabel = "N",
      defaultValue = "32",
      description = "Images per inference call. Default: ${DEFAULT-VALUE}.")
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
          "ONNX Runtime threads per embedder; 0 = one per core. Default: ${DEFAULT-VALUE}.")
  int intraOpThreads;

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
      defaultValue = "jpg,jpeg,png,bmp,gif,webp,tif,tiff",
      split = ",",
      description = "File extensions to ingest. Default: ${DEFAULT-VALUE}.")
  String[] extensions;

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
      names = "--fast-decode",
      description =
          "Decode JPEGs at reduced size (2x faster, small drift from torchvision). Default: off.")
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
          new DecoderOptions(maxPixels, fastDecode ? 256 : 0),
          (long) maxFileMb << 20,
          Duration.ofMillis(settleMs),
          new ModelConfig(
              model.toAbsolutePath().normalize().toString(),
              Device.parse(device),
              intraOpThreads,
              ortSpinning),
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
          Duration.ofMillis(sinkFlushMs));
    } catch (IllegalArgumentException e) {
      throw new ParameterException(spec.commandLine(), e.getMessage(), e);
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
