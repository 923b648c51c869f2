package dev.imgsearch.core.bench;

import dev.imgsearch.core.image.DecodedImage;
import dev.imgsearch.core.image.DecoderOptions;
import dev.imgsearch.core.image.ImageDecoder;
import dev.imgsearch.core.preprocess.PreprocessSpec;
import dev.imgsearch.core.preprocess.TorchvisionPreprocessor;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Decode + preprocess throughput on one thread for phone-size HEIC/AVIF files (and, beside them,
 * any other image, e.g. a JPEG of the same picture): the exact decode and the reduced-size one at
 * the default short side (512) and at 256 ({@code --fast-decode}). Files and modes are interleaved
 * over several rounds (A B C A B C ...); each line gives images per wall second and per CPU second
 * of the thread, the latter less disturbed by other load on the machine.
 *
 * <p>Usage: {@code HeifDecodeBench [-s SECONDS] [-r ROUNDS] IMAGE...} (defaults 4 s, 2 rounds).
 */
public final class HeifDecodeBench {

  private static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();

  public static void main(String[] args) throws Exception {
    double seconds = 4;
    int rounds = 2;
    List<Path> files = new ArrayList<>();
    for (int i = 0; i < args.length; i++) {
      switch (args[i]) {
        case "-s" -> seconds = Double.parseDouble(args[++i]);
        case "-r" -> rounds = Integer.parseInt(args[++i]);
        default -> files.add(Path.of(args[i]));
      }
    }
    TorchvisionPreprocessor pre = new TorchvisionPreprocessor(PreprocessSpec.imagenet());
    int[] modes = {0, 512, 256};
    for (Path file : files) {
      byte[] data = Files.readAllBytes(file);
      for (int reduced : modes) {
        DecodedImage image = decoder(reduced).decode(data);
        System.out.printf(
            "%s (%d bytes): %s decodes to %dx%d%n",
            file.getFileName(), data.length, label(reduced), image.width(), image.height());
        run(decoder(reduced), pre, data, seconds / 4); // warm-up
      }
    }
    for (int round = 1; round <= rounds; round++) {
      for (Path file : files) {
        byte[] data = Files.readAllBytes(file);
        for (int reduced : modes) {
          double[] rate = run(decoder(reduced), pre, data, seconds);
          System.out.printf(
              "round %d  %-22s %-28s %6.2f images/s wall, %6.2f images per CPU s%n",
              round, file.getFileName(), label(reduced), rate[0], rate[1]);
        }
      }
    }
  }

  private static ImageDecoder decoder(int reduced) {
    return new ImageDecoder(DecoderOptions.defaults().withReducedDecode(reduced));
  }

  private static String label(int reduced) {
    return reduced == 0 ? "exact" : "reduced (short side >= " + reduced + ")";
  }

  /** Images per wall second and per CPU second of this thread, decode + preprocess. */
  private static double[] run(
      ImageDecoder decoder, TorchvisionPreprocessor pre, byte[] data, double seconds)
      throws Exception {
    float[] out = new float[pre.spec().tensorSize()];
    long end = System.nanoTime() + (long) (seconds * 1e9);
    long start = System.nanoTime();
    long cpu = THREADS.getCurrentThreadCpuTime();
    int n = 0;
    while (System.nanoTime() < end || n == 0) {
      pre.preprocess(decoder.decode(data), out, 0);
      n++;
    }
    double wall = (System.nanoTime() - start) / 1e9;
    double used = (THREADS.getCurrentThreadCpuTime() - cpu) / 1e9;
    return new double[] {n / wall, n / used};
  }
}
