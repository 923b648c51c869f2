package dev.imgsearch.core.store;

import dev.imgsearch.core.config.MilvusConfig;
import io.milvus.v2.client.ConnectConfig;
import io.milvus.v2.client.MilvusClientV2;
import io.milvus.v2.client.RetryConfig;
import java.util.function.Consumer;
import java.util.function.Function;

/**
 * A client of one Milvus, and the {@link RetryPolicy} every call through it runs under: transient
 * errors are retried with backoff ({@link Retrier}), others fail at once with the server's reason.
 * Thread-safe as far as the SDK client is.
 */
public final class MilvusConnection implements AutoCloseable {

  private final MilvusClientV2 client;
  private final MilvusConfig config;
  private final Retrier retrier;

  private MilvusConnection(MilvusClientV2 client, MilvusConfig config, Retrier retrier) {
    this.client = client;
    this.config = config;
    this.retrier = retrier;
  }

  /**
   * Connects, retrying while Milvus is not reachable yet.
   *
   * @throws MilvusUnavailableException if Milvus cannot be reached within the retry policy
   * @throws MilvusStoreException if it refuses the connection (e.g. a wrong token)
   */
  public static MilvusConnection open(MilvusConfig config, RetryPolicy retry) {
    Retrier retrier =
        new Retrier(retry, "Milvus " + config.uri() + " collection " + config.collection());
    MilvusClientV2 client = retrier.call("connect", () -> connect(config));
    return new MilvusConnection(client, config, retrier);
  }

  /** Runs a call on the client under the retry policy; {@code operation} names it in messages. */
  <T> T call(String operation, Function<MilvusClientV2, T> call) {
    return retrier.call(operation, () -> call.apply(client));
  }

  void run(String operation, Consumer<MilvusClientV2> call) {
    retrier.run(operation, () -> call.accept(client));
  }

  public MilvusConfig config() {
    return config;
  }

  /** The database of the calls; null for Milvus's default one. */
  String database() {
    return config.database();
  }

  String collection() {
    return config.collection();
  }

  @Override
  public void close() {
    client.close();
  }

  private static MilvusClientV2 connect(MilvusConfig config) {
    config.requireReadableFiles();
    ConnectConfig.ConnectConfigBuilder connect =
        ConnectConfig.builder()
            .uri(config.uri())
            .connectTimeoutMs(config.connectTimeout().toMillis())
            .rpcDeadlineMs(config.rpcTimeout().toMillis());
    if (config.token() != null) {
      connect.token(config.token());
    }
    if (config.database() != null) {
      connect.dbName(config.database());
    }
    // An https:// uri alone turns TLS on in the SDK, trusting the JVM's CAs. A private CA is
    // handed over as the SDK's "server PEM", which becomes the channel's only trust anchor. With a
    // PEM the SDK always overrides the TLS authority with serverName (null is rejected), so it
    // defaults to the uri's host, which is what the certificate is checked against anyway.
    if (config.tlsCaCert() != null) {
      connect.serverPemPath(config.tlsCaCert());
      connect.serverName(config.tlsServerName() != null ? config.tlsServerName() : config.host());
    } else if (config.tlsServerName() != null) {
      connect.serverName(config.tlsServerName());
    }
    // Never log the ConnectConfig: its toString() prints the token in clear text.
    MilvusClientV2 client = new MilvusClientV2(connect.build());
    // One retry loop, ours: the SDK's own (75 tries by default) would hide outages behind it.
    client.retryConfig(RetryConfig.builder().maxRetryTimes(1).retryOnRateLimit(false).build());
    return client;
  }
}
