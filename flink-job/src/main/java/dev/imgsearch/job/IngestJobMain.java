package dev.imgsearch.job;

import dev.imgsearch.core.embed.ModelException;
import dev.imgsearch.core.store.MilvusStoreException;
import dev.imgsearch.core.store.MilvusUnavailableException;
import dev.imgsearch.job.config.IngestCommandLine;
import dev.imgsearch.job.config.IngestOptions;
import dev.imgsearch.options.ExitCodes;
import dev.imgsearch.options.UserError;
import java.io.PrintWriter;
import org.apache.flink.api.common.JobExecutionResult;
import picocli.CommandLine;
import picocli.CommandLine.ParameterException;

/**
 * Entry point for {@code java -jar flink-job.jar} (an embedded Flink) and {@code flink run} (a
 * cluster): reads the settings (flags over {@code -D} over {@code config.yaml}), checks the model
 * and the collection, submits the job. Exit codes are {@link ExitCodes}', as in the query CLI.
 */
public final class IngestJobMain {

  private IngestJobMain() {}

  public static void main(String[] args) throws Exception {
    int code = run(args, new PrintWriter(System.out, true), new PrintWriter(System.err, true));
    if (code != ExitCodes.OK) {
      System.exit(code);
    }
  }

  /** Parses, checks and runs; returns the exit code. Public for tests and embedding. */
  public static int run(String[] args, PrintWriter out, PrintWriter err) throws Exception {
    IngestCommandLine command = new IngestCommandLine();
    CommandLine cli = IngestCommandLine.create(command).setOut(out).setErr(err);
    try {
      if (CommandLine.printHelpIfRequested(cli.parseArgs(args))) {
        return ExitCodes.OK;
      }
    } catch (ParameterException e) {
      err.println("error: " + ExitCodes.oneLine(e.getMessage()));
      err.println("Run with --help to see every option and its default.");
      return ExitCodes.BAD_INPUT;
    }
    IngestLaunch launch;
    try {
      launch = IngestLaunch.of(command.configuration());
    } catch (UserError e) {
      return fail(err, e);
    }
    try {
      JobExecutionResult result = launch.build().execute();
      if (launch.config().mode() == IngestOptions.Mode.ONCE && result.isJobExecutionResult()) {
        out.println(JobSummary.from(result).format());
      }
      return ExitCodes.OK;
    } catch (MilvusUnavailableException e) {
      return fail(err, UserError.milvusUnreachable(launch.config().milvus().uri(), e));
    } catch (ModelException | MilvusStoreException e) {
      return fail(err, e);
    }
  }

  private static int fail(PrintWriter err, RuntimeException e) {
    err.println("error: " + ExitCodes.message(e));
    return ExitCodes.of(e);
  }
}
