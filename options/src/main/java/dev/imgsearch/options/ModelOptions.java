package dev.imgsearch.options;

import static org.apache.flink.configuration.ConfigOptions.key;

import dev.imgsearch.core.config.Device;
import dev.imgsearch.core.config.ModelConfig;
import dev.imgsearch.core.config.Precision;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.apache.flink.configuration.ConfigOption;
import org.apache.flink.configuration.ReadableConfig;

/** The encoder and where it runs: settings the ingestion job and the query CLI share. */
public final class ModelOptions {

  /** Environment variable that stands in for the model path when nothing else sets it. */
  public static final String PATH_ENV = "IMGSEARCH_MODEL";

  public static final ConfigOption<String> PATH =
      key("imgsearch.model.path")
          .stringType()
          .noDefaultValue()
          .withDescription(
              "ONNX image encoder (e.g. models/resnet50.onnx); the same file wherever the job"
                  + " runs, and the one a collection was ingested with when querying it.");

  public static final ConfigOption<String> DEVICE =
      key("imgsearch.model.device")
          .stringType()
          .defaultValue("auto")
          .withDescription(
              "Where inference runs: auto (CUDA device 0 when the CUDA provider loads, else the"
                  + " CPU), cpu, cuda or cuda:N.");

  public static final ConfigOption<Precision> PRECISION =
      key("imgsearch.model.precision")
          .enumType(Precision.class)
          .defaultValue(Precision.AUTO)
          .withDescription(
              "fp32: the model given; int8: its int8 copy NAME.int8.onnx beside it (made by"
                  + " models/convert_precision.py --precision int8); auto: the one the collection"
                  + " already holds, else int8 on a CPU with VNNI or AMX when the copy exists,"
                  + " else fp32. The two are different models with different ids.");

  public static final List<ConfigOption<?>> ALL = List.of(PATH, DEVICE, PRECISION);

  /** The flags of these options, the same in the job and the CLI. */
  public static final List<Flag> FLAGS =
      List.of(
          Flag.of("--model", "FILE", PATH)
              .withEnvironment(PATH_ENV)
              .withDefaultText("$" + PATH_ENV),
          Flag.of("--device", "auto|cpu|cuda[:N]", DEVICE),
          Flag.of("--precision", "auto|fp32|int8", PRECISION));

  private ModelOptions() {}

  /**
   * The model file and device; the other settings at their defaults (the job adds its inference
   * settings).
   *
   * @throws IllegalArgumentException when no model is set, the file does not exist or the device is
   *     unknown, naming the setting and the fix
   */
  public static ModelConfig toConfig(ReadableConfig conf, Map<String, String> environment) {
    String file = conf.getOptional(PATH).orElse(environment.get(PATH_ENV));
    if (file == null || file.isBlank()) {
      throw new IllegalArgumentException(
          "no model: set "
              + PATH.key()
              + " (--model FILE) to the ONNX encoder; models/export_resnet50.py exports ResNet50");
    }
    Path path = Path.of(file).toAbsolutePath().normalize();
    if (!Files.isRegularFile(path)) {
      throw new IllegalArgumentException(
          "model file "
              + path
              + " does not exist; point "
              + PATH.key()
              + " (--model) at an ONNX encoder (models/export_resnet50.py exports ResNet50)");
    }
    Device device;
    try {
      device = Device.parse(conf.get(DEVICE));
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(DEVICE.key() + ": " + e.getMessage());
    }
    return ModelConfig.of(path).withDevice(device).withPrecision(conf.get(PRECISION));
  }
}
