package dev.imgsearch.cli.mixin;

import dev.imgsearch.core.config.ModelConfig;
import dev.imgsearch.options.ModelFlags;

/** The encoder flags ({@link dev.imgsearch.options.ModelOptions}, the same as the job's). */
public class ModelMixin extends ModelFlags {

  /** As the job's, for a one-shot process: idle ONNX Runtime threads do not spin. */
  @Override
  public ModelConfig toConfig() {
    return super.toConfig().withAllowSpinning(false);
  }
}
