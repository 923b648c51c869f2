package dev.imgsearch.core.embed;

import dev.imgsearch.core.preprocess.PreprocessSpec;
import java.nio.file.Path;

/**
 * What was read from an ONNX encoder: its tensor names, its output dimension and its preprocessing,
 * all from the model file itself.
 *
 * @param name the model's name ({@code imgsearch.name} metadata, else the file name)
 * @param sha256 hash of the model file, so that vectors of different models are never mixed
 */
public record ModelInfo(
    String name,
    Path path,
    String sha256,
    String inputName,
    String outputName,
    int dimension,
    PreprocessSpec preprocess) {

  ModelInfo withDimension(int value) {
    return new ModelInfo(name, path, sha256, inputName, outputName, value, preprocess);
  }

  /**
   * Stored with every vector: the name plus a short file hash, e.g. {@code resnet50@1a2b3c4d5e6f}.
   */
  public String id() {
    return name + "@" + sha256.substring(0, 12);
  }
}
