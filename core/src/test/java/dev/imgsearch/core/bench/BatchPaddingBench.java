package dev.imgsearch.core.bench;

import dev.imgsearch.core.config.BatchPadding;
import dev.imgsearch.core.config.Device;
import dev.imgsearch.core.config.ModelConfig;
import dev.imgsearch.core.embed.OnnxEmbedder;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;

/**
 * What padding partial batches to buckets costs or saves: for {@code none} and {@code buckets} in
 * turn (A B A B), the embedder's start-up (open and warm-up), then a trickle of batches of every
 * size from 1 to the largest in a seeded random order, as a watch job sees when files arrive a few
 * at a time. A batch size met for the first time pays ONNX Runtime's planning (and on CUDA cuDNN's
 * algorithm search); with buckets those shapes were planned at start-up and a batch pays for its
 * padded rows instead.
 *
 * <p>Usage: {@code BatchPaddingBench MODEL.onnx [largest=32] [rounds=2] [device=cpu] [threads=0]}.
 */
public final class BatchPaddingBench {

  public static void main(String[] args) {
    Path model = Path.of(args[0]);
    int largest = args.length > 1 ? Integer.parseInt(args[1]) : 32;
    int rounds = args.length > 2 ? Integer.parseInt(args[2]) : 2;
    Device device = args.length > 3 ? Device.parse(args[3]) : Device.CPU;
    int threads = args.length > 4 ? Integer.parseInt(args[4]) : 0;
    List<Integer> trickle = trickle(largest);
    for (int round = 1; round <= rounds; round++) {
      for (BatchPadding padding : List.of(BatchPadding.NONE, BatchPadding.BUCKETS)) {
        run(model, device, threads, largest, padding, trickle, round);
      }
    }
  }

  /** Every size from 1 to {@code largest} twice, shuffled with a fixed seed. */
  private static List<Integer> trickle(int largest) {
    List<Integer> sizes = new ArrayList<>();
    for (int pass = 0; pass < 2; pass++) {
      for (int s = 1; s <= largest; s++) {
        sizes.add(s);
      }
    }
    java.util.Collections.shuffle(sizes, new Random(7));
    return sizes;
  }

  private static void run(
      Path model,
      Device device,
      int threads,
      int largest,
      BatchPadding padding,
      List<Integer> trickle,
      int round) {
    ModelConfig config =
        ModelConfig.of(model)
            .withDevice(device)
            .withIntraOpThreads(threads)
            .withBatchPadding(padding);
    long t0 = System.nanoTime();
    try (OnnxEmbedder embedder = OnnxEmbedder.open(config, largest)) {
      double openSeconds = (System.nanoTime() - t0) / 1e9;
      List<float[]> pool = tensors(embedder.preprocessSpec().tensorSize(), largest);
      Set<Integer> seen = new HashSet<>();
      double firstSeconds = 0;
      double againSeconds = 0;
      int againImages = 0;
      double slowestFirst = 0;
      for (int size : trickle) {
        long start = System.nanoTime();
        embedder.embed(pool.subList(0, size));
        double s = (System.nanoTime() - start) / 1e9;
        if (seen.add(size)) {
          firstSeconds += s;
          slowestFirst = Math.max(slowestFirst, s);
        } else {
          againSeconds += s;
          againImages += size;
        }
      }
      System.out.printf(
          "round %d %-7s on %s: open+warm-up %.2f s; first batch of each size 1..%d: %.2f s in"
              + " all (slowest %.0f ms); the same sizes again: %.2f s, %.1f images/s%n",
          round,
          padding.name().toLowerCase(java.util.Locale.ROOT),
          embedder.provider(),
          openSeconds,
          largest,
          firstSeconds,
          slowestFirst * 1e3,
          againSeconds,
          againImages / againSeconds);
    }
  }

  private static List<float[]> tensors(int size, int count) {
    Random random = new Random(1);
    List<float[]> tensors = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      float[] t = new float[size];
      for (int j = 0; j < t.length; j++) {
        t[j] = (float) random.nextGaussian();
      }
      tensors.add(t);
    }
    return tensors;
  }
}
