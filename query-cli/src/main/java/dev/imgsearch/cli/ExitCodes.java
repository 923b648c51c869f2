package dev.imgsearch.cli;

import dev.imgsearch.core.store.MilvusUnavailableException;
import java.util.Locale;
import picocli.CommandLine.IExitCodeExceptionMapper;

/** The CLI's exit codes, and how exceptions map to them and to one-line messages. */
public final class ExitCodes implements IExitCodeExceptionMapper {

  public static final int OK = 0;

  /** Anything else that went wrong: missing collection, model problems, server refusals. */
  public static final int FAILURE = 1;

  /** Bad options or arguments, or a query image that cannot be read or decoded. */
  public static final int BAD_INPUT = 2;

  public static final int MILVUS_UNREACHABLE = 3;

  @Override
  public int getExitCode(Throwable error) {
    return of(error);
  }

  public static int of(Throwable error) {
    for (Throwable t = error; t != null; t = t.getCause()) {
      if (t instanceof CliException cli) {
        return cli.exitCode();
      }
      if (t instanceof MilvusUnavailableException) {
        return MILVUS_UNREACHABLE;
      }
      if (t == t.getCause()) {
        break;
      }
    }
    return FAILURE;
  }

  /** The error as one line: our own message when we wrote one, else the exception's. */
  public static String message(Throwable error) {
    Throwable shown = error;
    for (Throwable t = error; t != null; t = t.getCause()) {
      if (t instanceof CliException) {
        shown = t;
        break;
      }
    }
    String message = shown.getMessage();
    if (message == null || message.isBlank()) {
      message = shown.getClass().getSimpleName();
    } else if (!(shown instanceof CliException)
        && shown instanceof RuntimeException
        && shown.getClass().getPackageName().startsWith("java.")) {
      // e.g. an IllegalStateException deep in a library: the type helps.
      message = shown.getClass().getSimpleName() + ": " + message;
    }
    return oneLine(message);
  }

  /** Newlines and runs of white space folded, so that the message stays one line. */
  public static String oneLine(String text) {
    return text.replaceAll("\\s*[\\r\\n]+\\s*", " ").strip();
  }

  /** A few words on why a call to Milvus did not get through, from the gRPC status. */
  public static String shortReason(Throwable error) {
    for (Throwable t = error; t != null; t = t.getCause()) {
      String m = t.getMessage() == null ? "" : t.getMessage();
      if (m.contains("DEADLINE_EXCEEDED")) {
        return "no answer before the connect timeout";
      }
      if (m.contains("UNAVAILABLE")) {
        return "connection failed";
      }
      if (m.toLowerCase(Locale.ROOT).contains("connection refused")) {
        return "connection refused";
      }
      if (t == t.getCause()) {
        break;
      }
    }
    String m = error.getMessage() == null ? error.getClass().getSimpleName() : error.getMessage();
    return oneLine(m.length() > 160 ? m.substring(0, 160) + "..." : m);
  }
}
