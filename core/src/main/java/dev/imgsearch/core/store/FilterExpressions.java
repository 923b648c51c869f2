package dev.imgsearch.core.store;

import java.util.Collection;
import java.util.stream.Collectors;

/**
 * Builds Milvus boolean expressions from user data. Values are always emitted as escaped string
 * literals, so a file named {@code a" or id != "} stays a literal instead of changing the query.
 */
public final class FilterExpressions {

  private FilterExpressions() {}

  /** {@code filepath == "<path>"}. */
  public static String filepathEquals(String path) {
    return ImageFields.FILEPATH + " == " + quote(path);
  }

  /** {@code filepath in ["a", "b"]}: every row (every frame) of these files. */
  public static String filepathIn(Collection<String> paths) {
    if (paths.isEmpty()) {
      throw new IllegalArgumentException("filepathIn needs at least one path");
    }
    return ImageFields.FILEPATH
        + " in ["
        + paths.stream().map(FilterExpressions::quote).collect(Collectors.joining(", "))
        + "]";
  }

  /**
   * The rows of {@code path} written from another version of the file than the one modified at
   * {@code mtimeMs}: what is left over when a changed file has been embedded again (the frames a
   * shortened video no longer has).
   */
  public static String otherVersionsOf(String path, long mtimeMs) {
    return and(filepathEquals(path), ImageFields.MTIME_MS + " != " + mtimeMs);
  }

  /** {@code id in ["a", "b"]}. */
  public static String idIn(Collection<String> ids) {
    if (ids.isEmpty()) {
      throw new IllegalArgumentException("idIn needs at least one id");
    }
    return ImageFields.ID
        + " in ["
        + ids.stream().map(FilterExpressions::quote).collect(Collectors.joining(", "))
        + "]";
  }

  /**
   * Whether a filter on this value may select other values on some servers: Milvus Lite 2.5.1 reads
   * the {@code \n} and {@code \r} escapes as {@code n} and {@code r}. Deletes by such a path delete
   * by id ({@code MilvusImageStore#deleteByPaths}).
   */
  public static boolean hasLineBreak(String value) {
    return value.indexOf('\n') >= 0 || value.indexOf('\r') >= 0;
  }

  /** {@code frame_ms == -1}: still images only. */
  public static String stillImagesOnly() {
    return ImageFields.FRAME_MS + " == " + ImageRecord.STILL_IMAGE;
  }

  /** Joins two expressions with {@code and}, each parenthesized so precedence cannot leak. */
  public static String and(String left, String right) {
    return "(" + left + ") and (" + right + ")";
  }

  /**
   * A double-quoted Milvus string literal. Backslash and the quote are escaped, so the value can
   * neither end the literal nor escape its closing quote; newline and carriage return are escaped
   * because no parser allows them raw in a literal. Only these escapes are emitted: Milvus's parser
   * (C-style, unquoted by Go's strconv) and Milvus Lite 3's (Python) read them the same. Every
   * other character, tab, other control characters and non-ASCII included, passes through as
   * itself: every parser takes it literally, while a backslash-u escape is an error in Milvus Lite
   * 3 and Milvus Lite 2.5.1 reads any escape {@code \c} as {@code c}. So Milvus Lite 2.5.1 cannot
   * select a value with a newline or carriage return at all; see {@link #hasLineBreak}.
   */
  public static String quote(String value) {
    if (value == null) {
      throw new IllegalArgumentException("filter value must not be null");
    }
    StringBuilder out = new StringBuilder(value.length() + 2).append('"');
    for (int i = 0; i < value.length(); i++) {
      char c = value.charAt(i);
      switch (c) {
        case '\\' -> out.append("\\\\");
        case '"' -> out.append("\\\"");
        case '\n' -> out.append("\\n");
        case '\r' -> out.append("\\r");
        default -> out.append(c);
      }
    }
    return out.append('"').toString();
  }
}
