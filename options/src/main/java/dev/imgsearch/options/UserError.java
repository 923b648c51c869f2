package dev.imgsearch.options;

/**
 * A failure the user can act on: its message is the whole {@code error:} line (what happened and
 * what to do), its exit code one of {@link ExitCodes}.
 */
public class UserError extends RuntimeException {

  private final int exitCode;

  public UserError(int exitCode, String message) {
    this(exitCode, message, null);
  }

  public UserError(int exitCode, String message, Throwable cause) {
    super(message, cause);
    this.exitCode = exitCode;
  }

  public int exitCode() {
    return exitCode;
  }

  /** Bad input, for an invalid setting: the message names the setting and the fix. */
  public static UserError badInput(IllegalArgumentException e) {
    return new UserError(ExitCodes.BAD_INPUT, e.getMessage(), e);
  }

  /**
   * Milvus could not be reached: which URI, why in a few words, and what to do. The same words in
   * the job and the CLI.
   */
  public static UserError milvusUnreachable(String uri, Throwable cause) {
    return new UserError(
        ExitCodes.MILVUS_UNREACHABLE,
        "cannot reach Milvus at "
            + uri
            + " ("
            + ExitCodes.shortReason(cause)
            + "). Start one with 'scripts/milvus-lite.sh start' (or docker/), or point"
            + " --milvus-uri / MILVUS_URI at a running server",
        cause);
  }
}
