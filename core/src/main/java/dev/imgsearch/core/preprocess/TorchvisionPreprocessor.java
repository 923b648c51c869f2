package dev.imgsearch.core.preprocess;

import dev.imgsearch.core.image.DecodedImage;
import java.util.Objects;

/**
 * torchvision's {@code Resize(resize) -> CenterCrop(crop) -> ToTensor -> Normalize(mean, std)} on a
 * PIL image, in pure Java: RGB bytes in, a CHW float32 tensor out. Pure and thread-safe.
 */
public final class TorchvisionPreprocessor {

  private final PreprocessSpec spec;

  /**
   * {@code ((v / 255f) - mean[c]) / std[c]} for every byte value v of channel c, at {@code 256 * c
   * + v}: the same float32 operations as torch's ToTensor and Normalize, done once per value
   * instead of once per pixel, so the tensor is bit-for-bit what the arithmetic would give.
   */
  private final float[] lookup = new float[3 * 256];

  public TorchvisionPreprocessor(PreprocessSpec spec) {
    this.spec = Objects.requireNonNull(spec, "spec");
    float[] mean = spec.mean();
    float[] std = spec.std();
    for (int c = 0; c < 3; c++) {
      for (int v = 0; v < 256; v++) {
        lookup[256 * c + v] = (v / 255f - mean[c]) / std[c];
      }
    }
  }

  public PreprocessSpec spec() {
    return spec;
  }

  public float[] preprocess(DecodedImage image) {
    float[] out = new float[spec.tensorSize()];
    preprocess(image, out, 0);
    return out;
  }

  /** Writes the CHW tensor into {@code out} from {@code offset}: batches share one buffer. */
  public void preprocess(DecodedImage image, float[] out, int offset) {
    normalize(window(image), out, offset);
  }

  /**
   * Resize and centre crop only: the {@code crop × crop} RGB window (HWC bytes) that {@link
   * #normalize} turns into the tensor. A quarter of the tensor's size, so pipelines pass windows
   * between stages and normalize straight into the model's batch buffer.
   */
  public byte[] window(DecodedImage image) {
    int w = image.width();
    int h = image.height();
    int[] size = resizedSize(w, h, spec.resize());
    int crop = spec.crop();
    int top = centerCropOffset(size[1], crop);
    int left = centerCropOffset(size[0], crop);
    return PilBilinearResampler.resizeWindow(
        image.rgb(), w, h, size[0], size[1], left, top, crop, crop);
  }

  /** ToTensor then Normalize of a {@link #window}, into {@code out} from {@code offset}. */
  public void normalize(byte[] window, float[] out, int offset) {
    int pixels = spec.crop() * spec.crop();
    if (window.length != pixels * 3) {
      throw new IllegalArgumentException(
          "window of " + window.length + " bytes given, the model takes " + pixels * 3);
    }
    toNormalizedTensor(window, pixels, out, offset);
  }

  /**
   * torchvision's output size for {@code Resize(int)}: the short side becomes {@code shortSide},
   * the long side {@code int(shortSide * long / short)}, truncated as Python's {@code int()} does.
   *
   * @return {width, height}
   */
  static int[] resizedSize(int width, int height, int shortSide) {
    boolean portrait = width <= height;
    int shortIn = portrait ? width : height;
    int longIn = portrait ? height : width;
    int longOut = (int) ((double) ((long) shortSide * longIn) / shortIn);
    return portrait ? new int[] {shortSide, longOut} : new int[] {longOut, shortSide};
  }

  /** {@code int(round((size - crop) / 2.0))} with Python's round-half-to-even. */
  static int centerCropOffset(int size, int crop) {
    return (int) Math.rint((size - crop) / 2.0);
  }

  /** ToTensor then Normalize (float32, in torch's order) through the per-value table. */
  private void toNormalizedTensor(byte[] hwc, int pixels, float[] out, int offset) {
    float[] table = lookup;
    int g = offset + pixels;
    int b = offset + 2 * pixels;
    for (int i = 0, p = 0; i < pixels; i++, p += 3) {
      out[offset + i] = table[hwc[p] & 0xFF];
      out[g + i] = table[256 + (hwc[p + 1] & 0xFF)];
      out[b + i] = table[512 + (hwc[p + 2] & 0xFF)];
    }
  }
}
