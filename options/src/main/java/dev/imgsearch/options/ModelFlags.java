package dev.imgsearch.options;

import dev.imgsearch.core.config.ModelConfig;
import java.util.List;

/** The encoder flags as a picocli mixin: {@code --model} and {@code --device}. */
public class ModelFlags extends ConfigMixin {

  @Override
  protected List<Flag> flags() {
    return ModelOptions.FLAGS;
  }

  /**
   * The encoder the flags (or $IMGSEARCH_MODEL) name.
   *
   * @throws UserError bad input, naming the flag and the fix
   */
  public ModelConfig toConfig() {
    try {
      return ModelOptions.toConfig(values(), environment());
    } catch (IllegalArgumentException e) {
      throw new UserError(ExitCodes.BAD_INPUT, ExitCodes.withFlags(e.getMessage(), flags()), e);
    }
  }
}
