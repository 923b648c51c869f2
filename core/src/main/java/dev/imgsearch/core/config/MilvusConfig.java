package dev.imgsearch.core.config;

import java.net.URI;
import java.net.URISyntaxException;
import java.time.Duration;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * Where and how to reach Milvus.
 *
 * @param uri server address, {@code http://host:port} or {@code https://host:port}
 * @param token {@code user:password} or an API key; null without authentication. Never printed.
 * @param database database name; null for Milvus's {@code default} database
 * @param collection collection holding the images
 * @param connectTimeout how long to wait for the first connection
 * @param rpcTimeout deadline of each call; a large upsert batch must fit in it
 */
public record MilvusConfig(
    String uri,
    String token,
    String database,
    String collection,
    Duration connectTimeout,
    Duration rpcTimeout)
    implements java.io.Serializable {

  public static final String DEFAULT_URI = "http://127.0.0.1:19530";
  public static final String DEFAULT_COLLECTION = "image_search";
  public static final Duration DEFAULT_CONNECT_TIMEOUT = Duration.ofSeconds(10);
  public static final Duration DEFAULT_RPC_TIMEOUT = Duration.ofSeconds(60);

  // Milvus's own rule for collection and database names.
  private static final Pattern NAME = Pattern.compile("[A-Za-z_][A-Za-z0-9_]{0,254}");

  public MilvusConfig {
    uri = validateUri(uri);
    token = token == null || token.isBlank() ? null : token;
    if (database != null) {
      database = validateName("database", database);
    }
    collection = validateName("collection", collection);
    connectTimeout = validatePositive("connectTimeout", connectTimeout);
    rpcTimeout = validatePositive("rpcTimeout", rpcTimeout);
  }

  /** Local Milvus, no authentication, default database, collection {@code image_search}. */
  public static MilvusConfig defaults() {
    return new MilvusConfig(
        DEFAULT_URI, null, null, DEFAULT_COLLECTION, DEFAULT_CONNECT_TIMEOUT, DEFAULT_RPC_TIMEOUT);
  }

  public MilvusConfig withUri(String newUri) {
    return new MilvusConfig(newUri, token, database, collection, connectTimeout, rpcTimeout);
  }

  public MilvusConfig withToken(String newToken) {
    return new MilvusConfig(uri, newToken, database, collection, connectTimeout, rpcTimeout);
  }

  public MilvusConfig withDatabase(String newDatabase) {
    return new MilvusConfig(uri, token, newDatabase, collection, connectTimeout, rpcTimeout);
  }

  public MilvusConfig withCollection(String newCollection) {
    return new MilvusConfig(uri, token, database, newCollection, connectTimeout, rpcTimeout);
  }

  public MilvusConfig withTimeouts(Duration newConnectTimeout, Duration newRpcTimeout) {
    return new MilvusConfig(uri, token, database, collection, newConnectTimeout, newRpcTimeout);
  }

  /** Masks the token so that configs can be logged. */
  @Override
  public String toString() {
    return "MilvusConfig[uri="
        + uri
        + ", token="
        + (token == null ? "none" : "****")
        + ", database="
        + (database == null ? "default" : database)
        + ", collection="
        + collection
        + ", connectTimeout="
        + connectTimeout
        + ", rpcTimeout="
        + rpcTimeout
        + "]";
  }

  private static String validateUri(String value) {
    if (value == null || value.isBlank()) {
      throw new IllegalArgumentException(
          "Milvus uri is empty; pass e.g. " + DEFAULT_URI + " (--milvus-uri or MILVUS_URI)");
    }
    URI parsed;
    try {
      parsed = new URI(value.strip());
    } catch (URISyntaxException e) {
      throw new IllegalArgumentException(
          "Milvus uri '"
              + value
              + "' is not a URI ("
              + e.getReason()
              + "); use e.g. "
              + DEFAULT_URI,
          e);
    }
    String scheme = parsed.getScheme();
    if (!"http".equals(scheme) && !"https".equals(scheme)) {
      throw new IllegalArgumentException(
          "Milvus uri '"
              + value
              + "' must start with http:// or https:// (gRPC over plain or TLS); use e.g. "
              + DEFAULT_URI);
    }
    if (parsed.getHost() == null) {
      throw new IllegalArgumentException(
          "Milvus uri '" + value + "' has no host; use e.g. " + DEFAULT_URI);
    }
    return parsed.toString();
  }

  private static String validateName(String what, String value) {
    if (value == null || !NAME.matcher(value).matches()) {
      throw new IllegalArgumentException(
          "Milvus "
              + what
              + " name '"
              + value
              + "' is invalid: Milvus allows 1-255 letters, digits and underscores, not starting"
              + " with a digit");
    }
    return value;
  }

  private static Duration validatePositive(String what, Duration value) {
    Objects.requireNonNull(value, what + " must not be null");
    if (value.isNegative() || value.isZero()) {
      throw new IllegalArgumentException(what + " must be positive, got " + value);
    }
    return value;
  }
}
