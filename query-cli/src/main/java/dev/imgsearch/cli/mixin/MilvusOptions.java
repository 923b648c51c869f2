package dev.imgsearch.cli.mixin;

import dev.imgsearch.cli.CliException;
import dev.imgsearch.cli.ExitCodes;
import dev.imgsearch.core.config.MilvusConfig;
import dev.imgsearch.core.store.MilvusImageStore;
import dev.imgsearch.core.store.MilvusUnavailableException;
import dev.imgsearch.core.store.RetryPolicy;
import dev.imgsearch.core.store.StoreOptions;
import java.time.Duration;
import picocli.CommandLine.Help.Visibility;
import picocli.CommandLine.Option;

/** Where the collection lives: {@code --milvus-uri}, {@code --token}, {@code --collection}. */
public class MilvusOptions {

  @Option(
      names = "--milvus-uri",
      defaultValue = "${env:MILVUS_URI:-" + MilvusConfig.DEFAULT_URI + "}",
      paramLabel = "URI",
      description = "Milvus address, http:// or https://. Default: ${DEFAULT-VALUE} ($MILVUS_URI).")
  String uri;

  // Never echoed: no ${DEFAULT-VALUE} in the description, no default shown.
  @Option(
      names = "--token",
      defaultValue = "${env:MILVUS_TOKEN}",
      paramLabel = "TOKEN",
      showDefaultValue = Visibility.NEVER,
      description = "Milvus token (user:password or API key). Default: $MILVUS_TOKEN.")
  String token;

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
          .withToken(token)
          .withCollection(collection)
          .withTimeouts(Duration.ofSeconds(connectTimeoutSeconds), Duration.ofSeconds(60));
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
