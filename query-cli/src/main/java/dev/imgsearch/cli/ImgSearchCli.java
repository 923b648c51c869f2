package dev.imgsearch.cli;

import dev.imgsearch.cli.mixin.StacktraceOption;
import dev.imgsearch.options.ExitCodes;
import dev.imgsearch.options.FlagBinder;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import picocli.CommandLine;
import picocli.CommandLine.ParseResult;

/** Entry point: builds the command line with its error handling and exit codes. */
public final class ImgSearchCli {

  private ImgSearchCli() {}

  public static void main(String[] args) {
    // Before anything touches AWT (the grid) or logging.
    System.setProperty("java.awt.headless", "true");
    if (System.getProperty("log4j2.configurationFile") == null
        && System.getProperty("log4j.configurationFile") == null) {
      System.setProperty("log4j2.configurationFile", "imgsearch-cli-log4j2.xml");
    }
    PrintWriter out = new PrintWriter(System.out, true, StandardCharsets.UTF_8);
    PrintWriter err = new PrintWriter(System.err, true, StandardCharsets.UTF_8);
    System.exit(commandLine(out, err).execute(args));
  }

  /**
   * The {@code imgsearch} command writing to {@code out} and {@code err}: an error prints one
   * {@code error: ...} line (the stack trace too under {@code --stacktrace}), and the exit code is
   * one of {@link ExitCodes}.
   */
  public static CommandLine commandLine(PrintWriter out, PrintWriter err) {
    CommandLine cl = FlagBinder.bind(new CommandLine(new ImgSearchCommand()));
    cl.setOut(out);
    cl.setErr(err);
    cl.setExitCodeExceptionMapper(ExitCodes::of);
    cl.setExecutionExceptionHandler(
        (ex, cmd, parseResult) -> {
          err.println("error: " + ExitCodes.message(ex));
          if (stacktraceRequested(parseResult)) {
            ex.printStackTrace(err);
          }
          err.flush();
          return ExitCodes.of(ex);
        });
    cl.setParameterExceptionHandler(
        (ex, args) -> {
          CommandLine failed = ex.getCommandLine();
          err.println(
              "error: "
                  + ExitCodes.oneLine(ex.getMessage())
                  + " (see '"
                  + failed.getCommandSpec().qualifiedName()
                  + " --help')");
          err.flush();
          return ExitCodes.BAD_INPUT;
        });
    return cl;
  }

  private static boolean stacktraceRequested(ParseResult parseResult) {
    for (ParseResult pr = parseResult; pr != null; pr = pr.subcommand()) {
      if (pr.hasMatchedOption(StacktraceOption.NAME)) {
        return true;
      }
    }
    return false;
  }
}
