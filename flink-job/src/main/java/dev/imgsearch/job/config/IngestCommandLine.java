package dev.imgsearch.job.config;

import dev.imgsearch.options.FlagBinder;
import java.util.LinkedHashMap;
import java.util.Map;
import org.apache.flink.configuration.Configuration;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * The job's command line: flags that are shorthands for {@link IngestOptions}, and {@code -D
 * KEY=VALUE} for any option (the job's or Flink's), as {@code flink run -D} takes them. Both only
 * produce a Flink {@link Configuration}; the job reads its settings from there.
 */
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
      "Run locally with java -jar, or submit with flink run; the options are the same. Every flag"
          + " is a shorthand for the option in brackets, which -D, config.yaml or a"
          + " FlinkDeployment's flinkConfiguration can set as well; a flag wins."
    },
    footer = {
      "",
      "Parallelism and checkpointing are Flink's: flink run -p N, parallelism.default,"
          + " execution.checkpointing.interval.",
      "Environment: MILVUS_URI, MILVUS_TOKEN and IMGSEARCH_MODEL stand in for --milvus-uri,"
          + " --token and --model.",
      "Prefer --token-file or MILVUS_TOKEN to --token: arguments are visible in the process list.",
      "Files whose names start with '.' or '_' are skipped: write to such a name, then rename."
    })
public class IngestCommandLine {

  @Mixin JobFlags flags;

  @Option(
      names = "-D",
      paramLabel = "KEY=VALUE",
      description =
          "Any option by its key, e.g. -Dimgsearch.inference.batch-size=128 or"
              + " -Dparallelism.default=4; a flag for the same option wins.")
  Map<String, String> dynamic = new LinkedHashMap<>();

  /** The command line, with the flags bound; parse it with {@link CommandLine#parseArgs}. */
  public static CommandLine create(IngestCommandLine command) {
    return FlagBinder.bind(new CommandLine(command));
  }

  /** What the command line sets: the {@code -D} options, then the flags over them. */
  public Configuration configuration() {
    Configuration conf = Configuration.fromMap(dynamic);
    conf.addAll(flags.values());
    return conf;
  }
}
