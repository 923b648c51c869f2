package dev.imgsearch.options;

import dev.imgsearch.core.embed.ModelException;
import dev.imgsearch.core.store.MilvusUnavailableException;
import java.util.List;
import java.util.Locale;

/**
 * The exit codes of the ingestion job and the query CLI, which mean the same in both, and how an
 * error maps to one of them and to its one-line message.
 */
public final class ExitCodes {

  public static final int OK = 0;

  /**
   * Something went wrong that is not the input's fault: a model that cannot be used, a collection
   * that does not match, a call Milvus refused.
   */
  public static final int FAILURE = 1;

  /**
   * Bad input: an unknown or invalid option or flag, a file named by one that does not exist, a
   * query image that cannot be read.
   */
  public static final int BAD_INPUT = 2;

  /** Milvus could not be reached within the retry policy. */
  public static final int MILVUS_UNREACHABLE = 3;

  private ExitCodes() {}

  /** The exit code for an error: its own when it has one, else by its kind. */
  public static int of(Throwable error) {
    for (Throwable t = error; t != null; t = t.getCause()) {
      if (t instanceof UserError user) {
        return user.exitCode();
      }
      if (t instanceof MilvusUnavailableException) {
        return MILVUS_UNREACHABLE;
      }
      if (t instanceof ModelException) {
        return FAILURE;
      }
      if (t == t.getCause()) {
        break;
      }
    }
    return FAILURE;
  }

  /** The error as one line: our own message where we wrote one, else the exception's. */
  public static String message(Throwable error) {
    Throwable shown = error;
    for (Throwable t = error; t != null; t = t.getCause()) {
      if (t instanceof UserError) {
        shown = t;
        break;
      }
    }
    String message = shown.getMessage();
    if (message == null || message.isBlank()) {
      message = shown.getClass().getSimpleName();
    } else if (!(shown instanceof UserError)
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

  /**
   * The message with each option key it names followed by the flag that sets it, so that a user of
   * either finds the setting: "imgsearch.inference.batch-size (--batch-size) is 0; ...".
   */
  public static String withFlags(String message, List<Flag> flags) {
    String out = message;
    for (Flag flag : flags) {
      String key = flag.option().key();
      if (flag.constant() == null && out.contains(key) && !out.contains(key + " (" + flag.name())) {
        out = out.replace(key, key + " (" + flag.name() + ")");
      }
    }
    return out;
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
