package dev.imgsearch.core.bench;

import dev.imgsearch.core.config.Device;
import dev.imgsearch.core.config.ModelConfig;
import dev.imgsearch.core.embed.OnnxEmbedder;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * ONNX Runtime inference alone, the ceiling the job is measured against.
 *
 * <p>Usage: {@code EmbedBench MODEL.onnx [batch] [seconds] [threads] [device]}. Prints images/s.
 */
public final class EmbedBench {

  public static void main(String[] args) {
    Path model = Path.of(args[0]);
    int batch = args.length > 1 ? Integer.parseInt(args[1]) : 32;
    double seconds = args.length > 2 ? Double.parseDouble(args[2]) : 20;
    int threads = args.length > 3 ? Integer.parseInt(args[3]) : 0;
    Device device = args.length > 4 ? Device.parse(args[4]) : Device.CPU;
    try (OnnxEmbedder embedder =
        OnnxEmbedder.open(ModelConfig.of(model).withDevice(device).withIntraOpThreads(threads))) {
      Random random = new Random(1);
      List<float[]> tensors = new ArrayList<>();
      for (int i = 0; i < batch; i++) {
        float[] t = new float[embedder.preprocessSpec().tensorSize()];
        for (int j = 0; j < t.length; j++) {
          t[j] = (float) random.nextGaussian();
        }
        tensors.add(t);
      }
      embedder.embed(tensors); // warm-up at the measured batch size
      long start = System.nanoTime();
      long end = start + (long) (seconds * 1e9);
      int images = 0;
      while (System.nanoTime() < end) {
        embedder.embed(tensors);
        images += batch;
      }
      double rate = images / ((System.nanoTime() - start) / 1e9);
      System.out.printf(
          "ORT-only %s batch %d on %s: %.1f images/s%n",
          embedder.model().id(), batch, embedder.provider(), rate);
    }
  }
}
