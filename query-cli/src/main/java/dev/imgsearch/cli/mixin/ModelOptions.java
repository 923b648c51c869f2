package dev.imgsearch.cli.mixin;

import dev.imgsearch.cli.CliException;
import dev.imgsearch.cli.ExitCodes;
import dev.imgsearch.core.config.ModelConfig;
import dev.imgsearch.core.embed.Device;
import java.nio.file.Path;
import picocli.CommandLine.Option;

/** The encoder: {@code --model} and {@code --device}. */
public class ModelOptions {

  @Option(
      names = "--model",
      defaultValue = "${env:IMGSEARCH_MODEL}",
      paramLabel = "FILE",
      description =
          "ONNX image encoder; the one the collection was ingested with. Default: $IMGSEARCH_MODEL.")
  Path model;

  @Option(
      names = "--device",
      defaultValue = "auto",
      paramLabel = "auto|cpu|cuda[:N]",
      description = "Where inference runs. Default: ${DEFAULT-VALUE}.")
  String device;

  /** The same record the Flink job builds; one intra-op thread pool sized by ONNX Runtime. */
  public ModelConfig toConfig() {
    if (model == null) {
      throw new CliException(
          ExitCodes.BAD_INPUT,
          "no model: pass --model FILE (the ONNX encoder the collection was ingested with) or set"
              + " IMGSEARCH_MODEL");
    }
    if (!java.nio.file.Files.isRegularFile(model)) {
      throw new CliException(
          ExitCodes.BAD_INPUT,
          "model file "
              + model
              + " does not exist; pass --model with the ONNX encoder the collection was ingested"
              + " with (or set IMGSEARCH_MODEL)");
    }
    Device parsed;
    try {
      parsed = Device.parse(device);
    } catch (IllegalArgumentException e) {
      throw new CliException(ExitCodes.BAD_INPUT, "--device: " + e.getMessage());
    }
    // A one-shot process: spinning ORT threads would only burn CPU between calls.
    return ModelConfig.of(model).withDevice(parsed).withAllowSpinning(false);
  }
}
