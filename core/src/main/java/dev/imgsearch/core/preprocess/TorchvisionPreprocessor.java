package dev.imgsearch.core.preprocess;

import dev.imgsearch.core.image.DecodedImage;
import java.util.Objects;

/**
 * torchvision's {@code Resize(resize) -> CenterCrop(crop) -> ToTensor -> Normalize(mean, std)} on a
 * PIL image, in pure Java: RGB bytes in, a CHW float32 tensor out. Pure and thread-safe.
 */
public final class TorchvisionPreprocessor {

  private final PreprocessSpec spec;
  private final float[] mean;
  private final float[] std;

  public TorchvisionPreprocessor(PreprocessSpec spec) {
    this.spec = Objects.requireNonNull(spec, "spec");
    this.mean = spec.mean();
    this.std = spec.std();
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

  /** ToTensor then Normalize, in float32 arithmetic in the same order as torch. */
  private void toNormalizedTensor(byte[] hwc, int pixels, float[] out, int offset) {
    for (int c = 0; c < 3; c++) {
      float m = mean[c];
      float s = std[c];
      int o = offset + c * pixels;
      for (int i = 0, p = c; i < pixels; i++, p += 3) {
        out[o + i] = ((hwc[p] & 0xFF) / 255f - m) / s;
      }
    }
  }
}
