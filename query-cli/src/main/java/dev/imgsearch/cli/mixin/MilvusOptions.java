package dev.imgsearch.cli.mixin;

import dev.imgsearch.cli.CliException;
import dev.imgsearch.cli.ExitCodes;
import dev.imgsearch.core.config.MilvusConfig;
import dev.imgsearch.core.config.MilvusToken;
import dev.imgsearch.core.store.MilvusImageStore;
import dev.imgsearch.core.store.MilvusUnavailableException;
import dev.imgsearch.core.store.RetryPolicy;
import dev.imgsearch.core.store.StoreOptions;
import java.nio.file.Path;
import java.time.Duration;
import picocli.CommandLine.Option;

/**
 * Where the collection lives and how to reach it: {@code --milvus-uri}, {@code --token} (or {@code
 * --token-file}, {@code MILVUS_TOKEN}), {@code --tls-ca-cert}, {@code --tls-server-name}, {@code
 * --collection}. The Flink job declares the same options (its own picocli mixin: core has no
 * picocli); both resolve them through {@link MilvusToken} and {@link MilvusConfig}.
 */
public class MilvusOptions {

  @Option(
      names = "--milvus-uri",
      defaultValue = "${env:MILVUS_URI:-" + MilvusConfig.DEFAULT_URI + "}",
      paramLabel = "URI",
      description = "Milvus address, http:// or https://. Default: ${DEFAULT-VALUE} ($MILVUS_URI).")
  String uri;

  // Never echoed: no default value, so neither --help nor picocli's messages can show it. The
  // environment is read in toConfig(), not through ${env:...}, to tell it apart from the option.
  @Option(
      names = "--token",
      paramLabel = "TOKEN",
      description =
          "Milvus token (user:password or API key). Visible in the process list: prefer"
              + " --token-file or $MILVUS_TOKEN. Default: $MILVUS_TOKEN.")
  String token;

  @Option(
      names = "--token-file",
      paramLabel = "FILE",
      description = "File holding the Milvus token (one line), instead of --token.")
  Path tokenFile;

  @Option(
      names = "--tls-ca-cert",
      paramLabel = "PEM",
      description =
          "CA certificate(s) to trust for an https:// Milvus (private CA or self-signed server)."
              + " Default: the JVM's trusted CAs.")
  Path tlsCaCert;

  @Option(
      names = "--tls-server-name",
      paramLabel = "NAME",
      description =
          "Name in the https:// server's certificate, when it differs from the URI's host.")
  String tlsServerName;

  @Option(
      names = "--collection",
      defaultValue = MilvusConfig.DEFAULT_COLLECTION,
      paramLabel = "NAME",
      description = "Milvus collection. Default: ${DEFAULT-VALUE}.")
  String collection;

  @Option(
      names = "--connect-timeout",
      defaultValue = "5",
      paramLabel = "SECONDS",
      description = "How long to wait for Milvus before giving up. Default: ${DEFAULT-VALUE}.")
  int connectTimeoutSeconds;

  /** The same record the Flink job builds from its options. */
  public MilvusConfig toConfig() {
    if (connectTimeoutSeconds < 1) {
      throw new CliException(
          ExitCodes.BAD_INPUT,
          "--connect-timeout is " + connectTimeoutSeconds + "; use 1 or more seconds");
    }
    try {
      return MilvusConfig.defaults()
          .withUri(uri)
          .withToken(MilvusToken.resolve(token, tokenFile, System.getenv(MilvusToken.ENV)))
          .withTls(
              tlsCaCert == null ? null : tlsCaCert.toAbsolutePath().normalize().toString(),
              tlsServerName)
          .withCollection(collection)
          .withTimeouts(Duration.ofSeconds(connectTimeoutSeconds), Duration.ofSeconds(60))
          .requireReadableFiles();
    } catch (IllegalArgumentException e) {
      throw new CliException(ExitCodes.BAD_INPUT, e.getMessage());
    }
  }

  /**
   * Opens the existing collection, reading its dimension, metric and index from Milvus. A CLI user
   * waits for an answer, so transient errors get two quick tries, not the job's two minutes.
   */
  public MilvusImageStore openStore() {
    MilvusConfig config = toConfig();
    StoreOptions options =
        StoreOptions.defaults()
            .withRetry(
                new RetryPolicy(
                    Duration.ofMillis(200),
                    Duration.ofSeconds(1),
                    2,
                    Duration.ofSeconds(2L * connectTimeoutSeconds + 2)));
    try {
      return MilvusImageStore.openExisting(config, options);
    } catch (MilvusUnavailableException e) {
      throw unreachable(config, e);
    }
  }

  /** The message for an unreachable server: which URI, why in a few words, and what to do. */
  public static CliException unreachable(MilvusConfig config, Exception cause) {
    return new CliException(
        ExitCodes.MILVUS_UNREACHABLE,
        "cannot reach Milvus at "
            + config.uri()
            + " ("
            + ExitCodes.shortReason(cause)
            + "). Start one with 'scripts/milvus-lite.sh start' (or docker/), or point"
            + " --milvus-uri / MILVUS_URI at a running server",
        cause);
  }
}
