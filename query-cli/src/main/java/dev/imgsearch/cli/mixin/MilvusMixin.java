package dev.imgsearch.cli.mixin;

import dev.imgsearch.core.config.MilvusConfig;
import dev.imgsearch.core.store.MilvusImageStore;
import dev.imgsearch.core.store.MilvusUnavailableException;
import dev.imgsearch.core.store.RetryPolicy;
import dev.imgsearch.core.store.StoreOptions;
import dev.imgsearch.options.MilvusFlags;
import dev.imgsearch.options.UserError;
import java.time.Duration;

/**
 * The Milvus flags ({@link dev.imgsearch.options.MilvusOptions}, the same as the job's), and how
 * the CLI opens the collection with them.
 */
public class MilvusMixin extends MilvusFlags {

  /**
   * Opens the existing collection, reading its dimension, metric and index from Milvus. A CLI user
   * waits for an answer, so transient errors get two quick tries, not the job's two minutes.
   *
   * @throws UserError exit code 3 when Milvus cannot be reached
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
                    config.connectTimeout().multipliedBy(2).plusSeconds(2)));
    try {
      return MilvusImageStore.openExisting(config, options);
    } catch (MilvusUnavailableException e) {
      throw UserError.milvusUnreachable(config.uri(), e);
    }
  }
}
