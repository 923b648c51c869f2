package dev.imgsearch.core.config;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Where the Milvus token comes from: {@code --token}, {@code --token-file} or the {@code
 * MILVUS_TOKEN} environment variable, in that order. The job and the query CLI resolve it here, so
 * they agree on precedence and on messages.
 *
 * <p>A token on the command line is visible to every user of the machine ({@code ps}, shell
 * history, the Flink client's process list); a file readable only by its owner, or the environment,
 * is not. No message built here contains the token or the file's content.
 */
public final class MilvusToken {

  /** The environment variable read when neither option is given. */
  public static final String ENV = "MILVUS_TOKEN";

  /** Longer files are not tokens (a wrong path, e.g. a certificate or a log). */
  private static final long MAX_FILE_BYTES = 64 * 1024;

  private MilvusToken() {}

  /**
   * The token to use, or null for none.
   *
   * @param option {@code --token}, null when not given
   * @param file {@code --token-file}, null when not given
   * @param environment the value of {@link #ENV}, null when unset
   * @throws IllegalArgumentException when both options are given, or the file is unusable
   */
  public static String resolve(String option, Path file, String environment) {
    if (option != null && file != null) {
      throw new IllegalArgumentException(
          "--token and --token-file are both given; use one (--token-file keeps the token off the"
              + " command line)");
    }
    if (option != null) {
      return blankToNull(option);
    }
    if (file != null) {
      return readFile(file);
    }
    return blankToNull(environment);
  }

  /**
   * The token in a file: its content without surrounding whitespace, so that the trailing newline
   * of {@code echo token > file} does not become part of it.
   */
  public static String readFile(Path file) {
    String content;
    try {
      if (!Files.isRegularFile(file)) {
        throw new IllegalArgumentException(
            "token file " + file + " does not exist or is not a file; point --token-file at it");
      }
      if (Files.size(file) > MAX_FILE_BYTES) {
        throw new IllegalArgumentException(
            "token file "
                + file
                + " is larger than "
                + MAX_FILE_BYTES
                + " bytes, so it is not a token file; point --token-file at the file that holds"
                + " only the token (user:password or an API key)");
      }
      content = Files.readString(file, StandardCharsets.UTF_8).strip();
    } catch (IOException e) {
      // The message of an IOException names the file and the reason, never the content.
      throw new IllegalArgumentException(
          "cannot read token file " + file + " (" + e.getMessage() + "); check its permissions");
    }
    if (content.isEmpty()) {
      throw new IllegalArgumentException(
          "token file "
              + file
              + " is empty; write the token (user:password or an API key) into it");
    }
    if (content.contains("\n") || content.contains("\r")) {
      throw new IllegalArgumentException(
          "token file "
              + file
              + " has more than one line; a token is one line (user:password or an API key)");
    }
    return content;
  }

  private static String blankToNull(String value) {
    return value == null || value.isBlank() ? null : value.strip();
  }
}
