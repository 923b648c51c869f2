package dev.imgsearch.core.preprocess;

import java.util.Arrays;

/**
 * What an encoder expects: torchvision's {@code Resize(resize) -> CenterCrop(crop) -> ToTensor ->
 * Normalize(mean, std)}. It travels with the model (ONNX metadata), so that other encoders fit.
 *
 * @param resize length of the shorter side after the resize
 * @param crop side of the square center crop
 * @param mean per-channel mean, RGB order, on the [0, 1] scale
 * @param std per-channel standard deviation, RGB order
 */
public record PreprocessSpec(int resize, int crop, float[] mean, float[] std)
    implements java.io.Serializable {

  private static final float[] IMAGENET_MEAN = {0.485f, 0.456f, 0.406f};
  private static final float[] IMAGENET_STD = {0.229f, 0.224f, 0.225f};

  public PreprocessSpec {
    if (resize <= 0 || crop <= 0 || crop > resize) {
      throw new IllegalArgumentException(
          "need 0 < crop <= resize, got resize=" + resize + " crop=" + crop);
    }
    if (mean == null || mean.length != 3 || std == null || std.length != 3) {
      throw new IllegalArgumentException("mean and std need 3 values each (R, G, B)");
    }
    for (float s : std) {
      if (!(s > 0)) {
        throw new IllegalArgumentException("std values must be positive: " + Arrays.toString(std));
      }
    }
    mean = mean.clone();
    std = std.clone();
  }

  /** The ImageNet recipe of torchvision's ResNet weights: Resize(256), CenterCrop(224). */
  public static PreprocessSpec imagenet() {
    return new PreprocessSpec(256, 224, IMAGENET_MEAN, IMAGENET_STD);
  }

  @Override
  public float[] mean() {
    return mean.clone();
  }

  @Override
  public float[] std() {
    return std.clone();
  }

  /** Floats in one preprocessed image: 3 x crop x crop. */
  public int tensorSize() {
    return 3 * crop * crop;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof PreprocessSpec p
        && p.resize == resize
        && p.crop == crop
        && Arrays.equals(p.mean, mean)
        && Arrays.equals(p.std, std);
  }

  @Override
  public int hashCode() {
    return 31 * (31 * resize + crop) + 17 * Arrays.hashCode(mean) + Arrays.hashCode(std);
  }

  @Override
  public String toString() {
    return "Resize("
        + resize
        + ") CenterCrop("
        + crop
        + ") Normalize(mean="
        + Arrays.toString(mean)
        + ", std="
        + Arrays.toString(std)
        + ")";
  }
}
