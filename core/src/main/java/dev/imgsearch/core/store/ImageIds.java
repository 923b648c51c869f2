package dev.imgsearch.core.store;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * Primary keys of image rows.
 *
 * <p>The id is the lowercase hex SHA-256 of {@code normalizedAbsolutePath + "\u0000" + frameMs}
 * (UTF-8), 64 characters. Deriving it from the location rather than letting Milvus assign one makes
 * ingestion idempotent: re-ingesting a file, or replaying a Flink checkpoint, upserts the same row
 * instead of adding a duplicate, and a file whose content changed keeps its id with a new vector.
 * The path is made absolute and normalized ({@code a/./b/../c} becomes {@code a/c}) but symlinks
 * are not resolved: resolving needs the file to exist and would make the id depend on link targets
 * at ingestion time. Hashing keeps the key within VARCHAR(64) for any path length, and the NUL
 * separator cannot occur in a path, so (path, frame) pairs cannot collide by concatenation. {@code
 * frameMs} is -1 for still images.
 */
public final class ImageIds {

  private ImageIds() {}

  /** The normalized absolute path stored in {@code filepath} and hashed into the id. */
  public static String normalize(Path path) {
    return path.toAbsolutePath().normalize().toString();
  }

  public static String of(Path path, long frameMs) {
    return ofNormalized(normalize(path), frameMs);
  }

  /** For a path already produced by {@link #normalize(Path)}. */
  public static String ofNormalized(String normalizedAbsolutePath, long frameMs) {
    String key = normalizedAbsolutePath + "\u0000" + frameMs;
    return HexFormat.of().formatHex(sha256().digest(key.getBytes(StandardCharsets.UTF_8)));
  }

  private static MessageDigest sha256() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every Java runtime must provide SHA-256", e);
    }
  }
}
