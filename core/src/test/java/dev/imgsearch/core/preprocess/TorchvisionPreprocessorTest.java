package dev.imgsearch.core.preprocess;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Random;
import org.junit.jupiter.api.Test;

class TorchvisionPreprocessorTest {

  @Test
  void normalizeIsTorchsFloat32ArithmeticForEveryValue() {
    PreprocessSpec spec =
        new PreprocessSpec(
            8, 4, new float[] {0.485f, 0.456f, 0.406f}, new float[] {0.229f, 0.224f, 0.225f});
    TorchvisionPreprocessor pre = new TorchvisionPreprocessor(spec);
    int pixels = 4 * 4;
    byte[] window = new byte[pixels * 3];
    new Random(3).nextBytes(window);
    window[0] = 0;
    window[1] = (byte) 255;
    float[] out = new float[2 + 3 * pixels];
    pre.normalize(window, out, 2);
    float[] mean = spec.mean();
    float[] std = spec.std();
    for (int c = 0; c < 3; c++) {
      for (int i = 0; i < pixels; i++) {
        // ToTensor (x / 255) then Normalize ((x - mean) / std), float32 as torch computes it.
        float expected = ((window[3 * i + c] & 0xFF) / 255f - mean[c]) / std[c];
        assertThat(Float.floatToRawIntBits(out[2 + c * pixels + i]))
            .as("channel %d pixel %d", c, i)
            .isEqualTo(Float.floatToRawIntBits(expected));
      }
    }
    assertThat(out[0]).isZero();
    assertThat(out[1]).isZero();
  }

  @Test
  void everyByteValueOfEveryChannel() {
    TorchvisionPreprocessor pre = new TorchvisionPreprocessor(PreprocessSpec.imagenet());
    // A 224x224 window holds each of the 256 values in each channel.
    int pixels = 224 * 224;
    byte[] window = new byte[pixels * 3];
    for (int i = 0; i < window.length; i++) {
      window[i] = (byte) (i * 7 + i / 3);
    }
    float[] out = new float[3 * pixels];
    pre.normalize(window, out, 0);
    float[] mean = PreprocessSpec.imagenet().mean();
    float[] std = PreprocessSpec.imagenet().std();
    for (int c = 0; c < 3; c++) {
      for (int i = 0; i < pixels; i++) {
        float expected = ((window[3 * i + c] & 0xFF) / 255f - mean[c]) / std[c];
        if (Float.floatToRawIntBits(out[c * pixels + i]) != Float.floatToRawIntBits(expected)) {
          throw new AssertionError(
              "channel " + c + " pixel " + i + ": " + out[c * pixels + i] + " != " + expected);
        }
      }
    }
  }
}
