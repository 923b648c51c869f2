package dev.imgsearch.cli;

import dev.imgsearch.cli.mixin.StacktraceOption;
import dev.imgsearch.options.ExitCodes;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.HelpCommand;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/** {@code imgsearch}: the root command; the work is in the subcommands. */
@Command(
    name = "imgsearch",
    mixinStandardHelpOptions = true,
    versionProvider = ImgSearchCommand.Version.class,
    usageHelpAutoWidth = true,
    description =
        "Searches an image collection in Milvus by example images: the query images are decoded,"
            + " preprocessed and embedded with the same code as the Flink ingestion job.",
    subcommands = {
      SearchCommand.class,
      EmbedCommand.class,
      StatsCommand.class,
      DuplicatesCommand.class,
      PruneCommand.class,
      HelpCommand.class
    },
    footer = {
      "",
      "Environment: MILVUS_URI, MILVUS_TOKEN and IMGSEARCH_MODEL stand in for --milvus-uri,"
          + " --token and --model.",
      "Exit codes: 0 ok, 1 failure, 2 bad input (options, unreadable query image),"
          + " 3 Milvus unreachable."
    })
public class ImgSearchCommand implements Callable<Integer> {

  @Spec CommandSpec spec;

  @Mixin StacktraceOption stacktrace;

  @Override
  public Integer call() {
    spec.commandLine().getErr().println("error: missing subcommand (see 'imgsearch --help')");
    spec.commandLine().usage(spec.commandLine().getErr());
    return ExitCodes.BAD_INPUT;
  }

  /** The version from the jar's manifest, when there is one. */
  static final class Version implements picocli.CommandLine.IVersionProvider {
    @Override
    public String[] getVersion() {
      String version = ImgSearchCommand.class.getPackage().getImplementationVersion();
      return new String[] {"imgsearch " + (version == null ? "(development build)" : version)};
    }
  }
}
