package dev.imgsearch.core.embed;

import dev.imgsearch.core.config.Device;
import dev.imgsearch.core.config.Precision;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * Picks the copy of an encoder that runs: the fp32 file given or its int8 companion ({@code
 * NAME.int8.onnx} beside {@code NAME.onnx}). The two are different models, stored under different
 * ids, so a collection never mixes them: {@link Precision#AUTO} keeps to the one a collection
 * already holds, and chooses int8 only for a new collection, on a CPU with int8 dot-product
 * instructions (VNNI or AMX), where it runs several times faster for the same retrieval quality.
 */
public final class ModelVariants {

  static final String INT8_SUFFIX = ".int8.onnx";

  /**
   * @param reason why this copy, for the one log line at start
   */
  public record Choice(Path file, Precision precision, String reason) {}

  private ModelVariants() {}

  /** {@code models/resnet50.onnx} → {@code models/resnet50.int8.onnx}. */
  public static Path int8Companion(Path model) {
    String name = model.getFileName().toString();
    if (name.endsWith(INT8_SUFFIX)) {
      return model;
    }
    String base = name.endsWith(".onnx") ? name.substring(0, name.length() - 5) : name;
    return model.resolveSibling(base + INT8_SUFFIX);
  }

  /**
   * @param collectionModels the model ids the target collection holds vectors of (empty for a new
   *     or empty collection); asked only when there is a choice to make
   * @param modelId the id a file's vectors are stored under (name and hash, read from the file)
   * @throws ModelException when int8 is asked for and there is no int8 copy, with the fix
   */
  public static Choice choose(
      Path model,
      Precision precision,
      Device device,
      CpuFeatures cpu,
      Supplier<Set<String>> collectionModels,
      Function<Path, String> modelId) {
    boolean givenIsInt8 = model.getFileName().toString().endsWith(INT8_SUFFIX);
    Path int8 = int8Companion(model);
    switch (precision) {
      case FP32:
        return new Choice(model, givenIsInt8 ? Precision.INT8 : Precision.FP32, "as requested");
      case INT8:
        if (!Files.isRegularFile(int8)) {
          throw new ModelException(
              "int8 was requested, but there is no "
                  + int8
                  + "; make it with: python models/convert_precision.py --precision int8 "
                  + model);
        }
        return new Choice(int8, Precision.INT8, "as requested");
      default:
        break;
    }
    if (givenIsInt8) {
      return new Choice(model, Precision.INT8, "the file given is the int8 copy");
    }
    if (!Files.isRegularFile(int8)) {
      return new Choice(
          model, Precision.FP32, "no int8 copy beside it (" + int8.getFileName() + ")");
    }
    Set<String> held = collectionModels.get();
    if (held.contains(modelId.apply(model))) {
      return new Choice(model, Precision.FP32, "the collection holds this model's vectors");
    }
    if (held.contains(modelId.apply(int8))) {
      return new Choice(int8, Precision.INT8, "the collection holds the int8 model's vectors");
    }
    if (device.kind() == Device.Kind.CUDA
        || (device.kind() == Device.Kind.AUTO && GpuDevices.anyVisible())) {
      return new Choice(model, Precision.FP32, "a GPU runs it");
    }
    if (!cpu.hasInt8DotProducts()) {
      return new Choice(model, Precision.FP32, "the CPU has no VNNI or AMX int8 instructions");
    }
    return new Choice(int8, Precision.INT8, "the CPU has int8 dot-product instructions");
  }
}
