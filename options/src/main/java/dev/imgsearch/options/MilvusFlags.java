package dev.imgsearch.options;

import dev.imgsearch.core.config.MilvusConfig;
import java.util.List;

/**
 * The Milvus connection flags as a picocli mixin: {@code --milvus-uri}, {@code --token}, {@code
 * --token-file}, {@code --tls-ca-cert}, {@code --tls-server-name}, {@code --collection}, {@code
 * --connect-timeout} (see {@link MilvusOptions}).
 */
public class MilvusFlags extends ConfigMixin {

  @Override
  protected List<Flag> flags() {
    return MilvusOptions.FLAGS;
  }

  /**
   * The connection the flags (and the environment) describe.
   *
   * @throws UserError bad input, naming the flag and the fix
   */
  public MilvusConfig toConfig() {
    try {
      return MilvusOptions.toConfig(values(), environment());
    } catch (IllegalArgumentException e) {
      throw new UserError(ExitCodes.BAD_INPUT, ExitCodes.withFlags(e.getMessage(), flags()), e);
    }
  }
}
