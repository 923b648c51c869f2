package dev.imgsearch.cli;

/**
 * A failure the user can act on: its message is the whole {@code error:} line (what happened and
 * what to do), its exit code one of {@link ExitCodes}.
 */
public class CliException extends RuntimeException {

  private final int exitCode;

  public CliException(int exitCode, String message) {
    this(exitCode, message, null);
  }

  public CliException(int exitCode, String message, Throwable cause) {
    super(message, cause);
    this.exitCode = exitCode;
  }

  public int exitCode() {
    return exitCode;
  }
}
