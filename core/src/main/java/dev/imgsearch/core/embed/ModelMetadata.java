package dev.imgsearch.core.embed;

import dev.imgsearch.core.preprocess.PreprocessSpec;
import java.nio.file.Path;
import java.util.Map;

/**
 * The ONNX metadata keys through which a model describes its own preprocessing. The export scripts
 * in {@code models/} write them; a model without them gets the ImageNet recipe.
 */
final class ModelMetadata {
  static final String NAME = "imgsearch.name";
  static final String RESIZE = "imgsearch.resize";
  static final String CROP = "imgsearch.crop";
  static final String MEAN = "imgsearch.mean";
  static final String STD = "imgsearch.std";

  private ModelMetadata() {}

  static String name(Map<String, String> meta, Path path) {
    String name = meta.get(NAME);
    if (name != null && !name.isBlank()) {
      return name.strip();
    }
    String file = path.getFileName().toString();
    return file.endsWith(".onnx") ? file.substring(0, file.length() - 5) : file;
  }

  static PreprocessSpec preprocessSpec(Map<String, String> meta) {
    PreprocessSpec defaults = PreprocessSpec.imagenet();
    try {
      int resize = intOr(meta.get(RESIZE), defaults.resize());
      int crop = intOr(meta.get(CROP), defaults.crop());
      float[] mean = floatsOr(meta.get(MEAN), defaults.mean());
      float[] std = floatsOr(meta.get(STD), defaults.std());
      return new PreprocessSpec(resize, crop, mean, std);
    } catch (IllegalArgumentException e) {
      throw new ModelException("invalid preprocessing metadata in the model: " + e.getMessage(), e);
    }
  }

  private static int intOr(String value, int fallback) {
    return value == null ? fallback : Integer.parseInt(value.strip());
  }

  private static float[] floatsOr(String value, float[] fallback) {
    if (value == null) {
      return fallback;
    }
    String[] parts = value.split(",");
    float[] out = new float[parts.length];
    for (int i = 0; i < parts.length; i++) {
      out[i] = Float.parseFloat(parts[i].strip());
    }
    return out;
  }
}
