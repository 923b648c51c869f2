package dev.imgsearch.job;

import dev.imgsearch.core.config.ModelConfig;
import dev.imgsearch.core.embed.Device;
import dev.imgsearch.core.embed.ModelException;
import dev.imgsearch.core.embed.ModelInfo;
import dev.imgsearch.core.embed.OnnxEmbedder;
import dev.imgsearch.core.store.CollectionSpec;
import dev.imgsearch.core.store.MilvusImageStore;
import dev.imgsearch.core.store.MilvusStoreException;
import dev.imgsearch.core.store.SchemaMismatchException;
import dev.imgsearch.job.config.IngestJobCommand;
import dev.imgsearch.job.config.IngestJobConfig;
import dev.imgsearch.job.deadletter.DeadLetterSink;
import dev.imgsearch.job.sink.MilvusSink;
import dev.imgsearch.job.source.ImageSources;
import java.io.PrintWriter;
import org.apache.flink.api.common.JobExecutionResult;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import picocli.CommandLine;
import picocli.CommandLine.ParameterException;

/**
 * Entry point for {@code java -jar flink-job.jar} (an embedded Flink) and {@code flink run} (a
 * cluster). It checks the model and the collection before anything is submitted, so that a wrong
 * file or a mismatched collection fails at once with its fix, never once per record.
 */
public final class IngestJobMain {

  private IngestJobMain() {}

  public static void main(String[] args) throws Exception {
    int code = run(args, new PrintWriter(System.out, true), new PrintWriter(System.err, true));
    if (code != 0) {
      System.exit(code);
    }
  }

  /** Parses, checks and runs; returns the exit code. Public for tests and embedding. */
  public static int run(String[] args, PrintWriter out, PrintWriter err) throws Exception {
    IngestJobCommand command = new IngestJobCommand();
    CommandLine cli = new CommandLine(command).setOut(out).setErr(err);
    IngestJobConfig cfg;
    try {
      CommandLine.ParseResult parsed = cli.parseArgs(args);
      if (CommandLine.printHelpIfRequested(parsed)) {
        return 0;
      }
      cfg = command.toConfig();
    } catch (ParameterException e) {
      err.println("error: " + e.getMessage());
      err.println("Run with --help to see every option and its default.");
      return 2;
    }
    try {
      JobExecutionResult result = execute(cfg);
      if (cfg.mode() == IngestJobConfig.Mode.ONCE && result.isJobExecutionResult()) {
        out.println(JobSummary.from(result).format());
      }
      return 0;
    } catch (ModelException | MilvusStoreException e) {
      err.println("error: " + e.getMessage());
      return 1;
    }
  }

  static JobExecutionResult execute(IngestJobConfig cfg) throws Exception {
    return plan(cfg).execute(jobName(cfg));
  }

  /** Checks the model and the collection, then builds the job on the context's environment. */
  static StreamExecutionEnvironment plan(IngestJobConfig cfg) {
    ModelInfo model = probeModel(cfg.model());
    CollectionSpec spec = new CollectionSpec(model.dimension(), cfg.metric(), cfg.index());
    // Creates the collection, or validates an existing one's dimension and metric.
    try {
      MilvusImageStore.open(cfg.milvus(), spec).close();
    } catch (SchemaMismatchException e) {
      // The collection's message names it and the fix; the model file is the other half.
      throw new SchemaMismatchException(
          "model " + model.path() + " (" + model.dimension() + "-d): " + e.getMessage());
    }

    StreamExecutionEnvironment env =
        LocalExecution.loopbackIfLocal(StreamExecutionEnvironment.getExecutionEnvironment());
    new IngestJob(
            cfg,
            model,
            ImageSources.folder(cfg),
            MilvusSink.builder()
                .setConnection(cfg.milvus())
                .setCollection(spec)
                .setMaxBatchRows(cfg.sinkBatchRows())
                .setMaxBufferTime(cfg.sinkMaxBufferTime())
                .build(),
            new DeadLetterSink(cfg.deadLetterDir()))
        .build(env);
    return env;
  }

  static String jobName(IngestJobConfig cfg) {
    return "imgsearch ingest "
        + cfg.source()
        + " ("
        + cfg.mode().name().toLowerCase(java.util.Locale.ROOT)
        + ") into "
        + cfg.milvus().collection();
  }

  /** Loads the model once on the CPU to read its dimension, preprocessing and hash. */
  static ModelInfo probeModel(ModelConfig config) {
    try (OnnxEmbedder probe =
        OnnxEmbedder.open(config.withDevice(Device.CPU).withIntraOpThreads(1))) {
      return probe.model();
    }
  }
}
