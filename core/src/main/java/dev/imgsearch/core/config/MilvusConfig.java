package dev.imgsearch.core.config;

import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * Where and how to reach Milvus.
 *
 * @param uri server address, {@code http://host:port} or {@code https://host:port} (TLS); never
 *     with credentials in it, so that it can be printed
 * @param token {@code user:password} or an API key; null without authentication. Never printed.
 * @param database database name; null for Milvus's {@code default} database
 * @param collection collection holding the images
 * @param connectTimeout how long to wait for the first connection
 * @param rpcTimeout deadline of each call; a large upsert batch must fit in it
 * @param tlsCaCert PEM file of the CA certificate(s) to trust for an {@code https://} server, for a
 *     private CA or a self-signed server; null to trust the JVM's CAs. A path, not the content: it
 *     must exist at the same place wherever the config is used (client and TaskManagers)
 * @param tlsServerName the name the server's certificate must carry, when it differs from the URI's
 *     host (e.g. connecting through an IP address or a tunnel); null for the URI's host
 */
public record MilvusConfig(
    String uri,
    String token,
    String database,
    String collection,
    Duration connectTimeout,
    Duration rpcTimeout,
    String tlsCaCert,
    String tlsServerName)
    implements java.io.Serializable {

  public static final String DEFAULT_URI = "http://127.0.0.1:19530";
  public static final String DEFAULT_COLLECTION = "image_search";
  public static final Duration DEFAULT_CONNECT_TIMEOUT = Duration.ofSeconds(5);
  public static final Duration DEFAULT_RPC_TIMEOUT = Duration.ofSeconds(60);

  // Milvus's own rule for collection and database names.
  private static final Pattern NAME = Pattern.compile("[A-Za-z_][A-Za-z0-9_]{0,254}");

  public MilvusConfig {
    uri = validateUri(uri);
    token = token == null || token.isBlank() ? null : token;
    tlsCaCert = tlsCaCert == null || tlsCaCert.isBlank() ? null : tlsCaCert;
    tlsServerName = tlsServerName == null || tlsServerName.isBlank() ? null : tlsServerName.strip();
    if ((tlsCaCert != null || tlsServerName != null) && !uri.startsWith("https://")) {
      throw new IllegalArgumentException(
          "a TLS CA certificate or server name is set, but Milvus uri "
              + uri
              + " is plain http://; use https://"
              + uri.substring("http://".length())
              + " for TLS, or drop --tls-ca-cert / --tls-server-name");
    }
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
        DEFAULT_URI,
        null,
        null,
        DEFAULT_COLLECTION,
        DEFAULT_CONNECT_TIMEOUT,
        DEFAULT_RPC_TIMEOUT,
        null,
        null);
  }

  /** True for an {@code https://} uri: the connection is encrypted and the server verified. */
  public boolean usesTls() {
    return uri.startsWith("https://");
  }

  /** The uri's host: the name a TLS certificate is checked against unless tlsServerName is set. */
  public String host() {
    return URI.create(uri).getHost();
  }

  public MilvusConfig withUri(String newUri) {
    return new MilvusConfig(
        newUri, token, database, collection, connectTimeout, rpcTimeout, tlsCaCert, tlsServerName);
  }

  public MilvusConfig withToken(String newToken) {
    return new MilvusConfig(
        uri, newToken, database, collection, connectTimeout, rpcTimeout, tlsCaCert, tlsServerName);
  }

  public MilvusConfig withDatabase(String newDatabase) {
    return new MilvusConfig(
        uri, token, newDatabase, collection, connectTimeout, rpcTimeout, tlsCaCert, tlsServerName);
  }

  public MilvusConfig withCollection(String newCollection) {
    return new MilvusConfig(
        uri, token, database, newCollection, connectTimeout, rpcTimeout, tlsCaCert, tlsServerName);
  }

  public MilvusConfig withTimeouts(Duration newConnectTimeout, Duration newRpcTimeout) {
    return new MilvusConfig(
        uri,
        token,
        database,
        collection,
        newConnectTimeout,
        newRpcTimeout,
        tlsCaCert,
        tlsServerName);
  }

  /**
   * TLS settings for an {@code https://} uri.
   *
   * @param caCert PEM file of the CA certificate(s) to trust; null for the JVM's trusted CAs
   * @param serverName name expected in the server's certificate; null for the uri's host
   */
  public MilvusConfig withTls(String caCert, String serverName) {
    return new MilvusConfig(
        uri, token, database, collection, connectTimeout, rpcTimeout, caCert, serverName);
  }

  /**
   * Checks the files this config names, where they are used: a missing CA certificate would
   * otherwise surface as an obscure TLS error from the first call.
   */
  public MilvusConfig requireReadableFiles() {
    if (tlsCaCert != null && !Files.isReadable(Path.of(tlsCaCert))) {
      throw new IllegalArgumentException(
          "TLS CA certificate "
              + tlsCaCert
              + " does not exist or cannot be read; point --tls-ca-cert at the PEM file of the CA"
              + " that signed the Milvus server's certificate");
    }
    return this;
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
        + (usesTls()
            ? ", tls=[caCert="
                + (tlsCaCert == null ? "JVM default" : tlsCaCert)
                + ", serverName="
                + (tlsServerName == null ? host() : tlsServerName)
                + "]"
            : "")
        + "]";
  }

  private static String validateUri(String value) {
    if (value == null || value.isBlank()) {
      throw new IllegalArgumentException(
          "Milvus uri is empty; pass e.g. " + DEFAULT_URI + " (--milvus-uri or MILVUS_URI)");
    }
    // Error messages show the uri, so credentials typed into it are masked first.
    String shown = redactUserInfo(value.strip());
    URI parsed;
    try {
      parsed = new URI(value.strip());
    } catch (URISyntaxException e) {
      // Not chained: the exception's own message repeats the raw input.
      throw new IllegalArgumentException(
          "Milvus uri '"
              + shown
              + "' is not a URI ("
              + e.getReason()
              + "); use e.g. "
              + DEFAULT_URI);
    }
    String scheme = parsed.getScheme();
    if (!"http".equals(scheme) && !"https".equals(scheme)) {
      throw new IllegalArgumentException(
          "Milvus uri '"
              + shown
              + "' must start with http:// or https:// (gRPC over plain or TLS); use e.g. "
              + DEFAULT_URI);
    }
    if (parsed.getRawUserInfo() != null) {
      // The uri is printed in logs and messages; a password in it would be printed too.
      throw new IllegalArgumentException(
          "Milvus uri '"
              + shown
              + "' contains credentials; remove them from the uri and pass them with --token,"
              + " --token-file or MILVUS_TOKEN (user:password or an API key)");
    }
    if (parsed.getHost() == null) {
      throw new IllegalArgumentException(
          "Milvus uri '" + shown + "' has no host; use e.g. " + DEFAULT_URI);
    }
    return parsed.toString();
  }

  /** {@code scheme://user:pw@host} becomes {@code scheme://***@host}; other strings unchanged. */
  static String redactUserInfo(String uri) {
    return uri.replaceFirst("^([A-Za-z][A-Za-z0-9+.-]*://)[^/?#]*@", "$1***@");
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
