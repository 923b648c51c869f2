package dev.imgsearch.core.bench;

import dev.imgsearch.core.image.DecoderOptions;
import dev.imgsearch.core.image.ImageDecoder;
import dev.imgsearch.core.preprocess.PreprocessSpec;
import dev.imgsearch.core.preprocess.TorchvisionPreprocessor;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Decode + preprocess throughput on one thread, exact and fast (reduced-size JPEG) modes.
 *
 * <p>Usage: {@code DecodePreprocessBench IMAGE.jpg [seconds]}. Prints images/s; compare modes
 * within one run, as the machine is noisy.
 */
public final class DecodePreprocessBench {

  public static void main(String[] args) throws Exception {
    byte[] data = Files.readAllBytes(Path.of(args[0]));
    double seconds = args.length > 1 ? Double.parseDouble(args[1]) : 5;
    TorchvisionPreprocessor pre = new TorchvisionPreprocessor(PreprocessSpec.imagenet());
    for (int reduced : new int[] {0, 512, 256}) {
      ImageDecoder decoder = new ImageDecoder(DecoderOptions.defaults().withReducedDecode(reduced));
      float[] out = new float[pre.spec().tensorSize()];
      run(decoder, pre, data, out, seconds / 3); // warm-up
      double rate = run(decoder, pre, data, out, seconds);
      System.out.printf(
          "%s decode+preprocess, 1 thread: %.1f images/s%n",
          reduced == 0 ? "exact" : "reduced (short side >= " + reduced + ")", rate);
    }
  }

  private static double run(
      ImageDecoder decoder, TorchvisionPreprocessor pre, byte[] data, float[] out, double seconds)
      throws Exception {
    long end = System.nanoTime() + (long) (seconds * 1e9);
    long start = System.nanoTime();
    int n = 0;
    while (System.nanoTime() < end) {
      pre.preprocess(decoder.decode(data), out, 0);
      n++;
    }
    return n / ((System.nanoTime() - start) / 1e9);
  }
}
