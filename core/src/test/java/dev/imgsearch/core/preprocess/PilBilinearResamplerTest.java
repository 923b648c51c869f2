package dev.imgsearch.core.preprocess;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The resampler against {@link PilBilinearReference}, a line-by-line port of Pillow's C loops (the
 * project's resampler before it was reordered for SIMD), on random pixels: every byte of every
 * window must match, for downscales, upscales, axes that keep their size, windows at the edges and
 * sizes from 1 pixel up.
 */
class PilBilinearResamplerTest {

  @ParameterizedTest(name = "{0}x{1} -> {2}x{3}, window at ({4},{5}) of {6}x{7}")
  @CsvSource({
    // torchvision's Resize(256) + CenterCrop(224) of common photo sizes
    "1024, 768, 341, 256, 58, 16, 224, 224",
    "768, 1024, 256, 341, 16, 58, 224, 224",
    "640, 427, 383, 256, 80, 16, 224, 224",
    "427, 640, 256, 383, 16, 80, 224, 224",
    "3000, 2000, 384, 256, 80, 16, 224, 224",
    "1500, 1000, 384, 256, 80, 16, 224, 224",
    "4000, 100, 10240, 256, 5008, 16, 224, 224",
    // upscales (support 1, two or three taps) and mixed
    "100, 80, 320, 256, 48, 16, 224, 224",
    "200, 600, 256, 768, 16, 272, 224, 224",
    "300, 200, 600, 100, 0, 0, 600, 100",
    // one axis keeps its size: Pillow skips that pass
    "256, 300, 256, 256, 16, 16, 224, 224",
    "300, 256, 256, 256, 16, 16, 224, 224",
    "256, 256, 256, 256, 16, 16, 224, 224",
    // windows on the edges, whole outputs, degenerate sizes
    "1024, 768, 341, 256, 0, 0, 224, 224",
    "1024, 768, 341, 256, 117, 32, 224, 224",
    "1024, 768, 341, 256, 0, 0, 341, 256",
    "1, 1, 256, 256, 16, 16, 224, 224",
    "2, 300, 256, 38400, 16, 19088, 224, 224",
    "300, 2, 38400, 256, 19088, 16, 224, 224",
    "1000, 1000, 1, 1, 0, 0, 1, 1",
    "7, 5, 3, 2, 1, 0, 2, 2",
  })
  void everyByteMatchesPillowsLoops(
      int inW, int inH, int outW, int outH, int left, int top, int winW, int winH) {
    byte[] src = randomPixels(inW, inH, 31L * inW + inH);
    byte[] expected =
        PilBilinearReference.resizeWindow(src, inW, inH, outW, outH, left, top, winW, winH);
    byte[] actual =
        PilBilinearResampler.resizeWindow(src, inW, inH, outW, outH, left, top, winW, winH);
    assertThat(actual).hasSize(winW * winH * 3);
    assertThat(actual).isEqualTo(expected);
  }

  @Test
  void randomSizesAndWindowsMatch() {
    Random random = new Random(20261202);
    for (int i = 0; i < 60; i++) {
      int inW = 1 + random.nextInt(700);
      int inH = 1 + random.nextInt(700);
      int outW = 1 + random.nextInt(400);
      int outH = 1 + random.nextInt(400);
      int winW = 1 + random.nextInt(outW);
      int winH = 1 + random.nextInt(outH);
      int left = random.nextInt(outW - winW + 1);
      int top = random.nextInt(outH - winH + 1);
      byte[] src = randomPixels(inW, inH, i);
      String what =
          inW
              + "x"
              + inH
              + " -> "
              + outW
              + "x"
              + outH
              + " window "
              + left
              + ","
              + top
              + " "
              + winW
              + "x"
              + winH;
      assertThat(
              PilBilinearResampler.resizeWindow(src, inW, inH, outW, outH, left, top, winW, winH))
          .as(what)
          .isEqualTo(
              PilBilinearReference.resizeWindow(src, inW, inH, outW, outH, left, top, winW, winH));
    }
  }

  @Test
  void extremeValuesClipLikePillow() {
    // All-white and all-black images, and a checkerboard of both: the sums reach the clip limits.
    for (int fill : new int[] {0, 255, -1}) {
      byte[] src = new byte[640 * 480 * 3];
      for (int i = 0; i < src.length; i++) {
        src[i] = (byte) (fill >= 0 ? fill : ((i / 3 + i / (640 * 3)) % 2) * 255);
      }
      assertThat(PilBilinearResampler.resizeWindow(src, 640, 480, 341, 256, 58, 16, 224, 224))
          .isEqualTo(PilBilinearReference.resizeWindow(src, 640, 480, 341, 256, 58, 16, 224, 224));
    }
  }

  @Test
  void threadsDoNotShareWorkArrays() throws Exception {
    // Each thread keeps its own work arrays; different sizes at once must not disturb each other.
    int[][] sizes = {{1024, 768, 341, 256}, {640, 427, 383, 256}, {300, 900, 256, 768}};
    List<byte[]> sources = new ArrayList<>();
    List<byte[]> expected = new ArrayList<>();
    for (int[] s : sizes) {
      byte[] src = randomPixels(s[0], s[1], s[0]);
      sources.add(src);
      int left = (s[2] - 224) / 2;
      int top = (s[3] - 224) / 2;
      expected.add(
          PilBilinearReference.resizeWindow(src, s[0], s[1], s[2], s[3], left, top, 224, 224));
    }
    ExecutorService pool = Executors.newFixedThreadPool(3);
    try {
      List<Future<Boolean>> results = new ArrayList<>();
      for (int t = 0; t < 6; t++) {
        int first = t;
        results.add(
            pool.submit(
                () -> {
                  for (int n = 0; n < 10; n++) {
                    int k = (first + n) % sizes.length;
                    int[] s = sizes[k];
                    byte[] got =
                        PilBilinearResampler.resizeWindow(
                            sources.get(k),
                            s[0],
                            s[1],
                            s[2],
                            s[3],
                            (s[2] - 224) / 2,
                            (s[3] - 224) / 2,
                            224,
                            224);
                    if (!java.util.Arrays.equals(got, expected.get(k))) {
                      return false;
                    }
                  }
                  return true;
                }));
      }
      for (Future<Boolean> r : results) {
        assertThat(r.get()).isTrue();
      }
    } finally {
      pool.shutdownNow();
    }
  }

  private static byte[] randomPixels(int w, int h, long seed) {
    byte[] src = new byte[w * h * 3];
    new Random(seed).nextBytes(src);
    return src;
  }
}
