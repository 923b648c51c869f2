package dev.imgsearch.core.bench;

import dev.imgsearch.core.config.ModelConfig;
import dev.imgsearch.core.embed.Device;
import dev.imgsearch.core.embed.OnnxEmbedder;
import dev.imgsearch.core.image.DecoderOptions;
import dev.imgsearch.core.image.ImageDecoder;
import dev.imgsearch.core.preprocess.TorchvisionPreprocessor;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.stream.Stream;

/**
 * ONNX Runtime inference alone on real images, configured as the job configures it: pipeline (b) of
 * {@code bench.sh}.
 *
 * <p>Usage: {@code OrtOnlyBench MODEL.onnx IMAGE_DIR [batch] [threads] [passes]} (defaults: 32, 0 =
 * ONNX Runtime's choice, as the job's {@code --intra-op-threads 0}, 1 pass). It first decodes and
 * preprocesses every {@code *.jpg} of the folder into tensors with the job's decoder and the
 * model's preprocessing (not timed as inference; reported on its own line), runs one untimed
 * warm-up batch, then embeds all the images in batches of {@code batch}, in file order, {@code
 * passes} times. Unlike {@link EmbedBench} (random tensors, fixed duration), the images and the
 * image count are the same as the other pipelines'. Holding all tensors costs 0.6 MB per image of
 * heap, which shows in the peak RSS.
 *
 * <p>Last line: {@code RESULT images=N seconds=S images_per_s=R processed=P}, P counting the
 * warm-up batch too.
 */
public final class OrtOnlyBench {

  public static void main(String[] args) throws Exception {
    if (args.length < 2) {
      System.err.println("usage: OrtOnlyBench MODEL.onnx IMAGE_DIR [batch] [threads] [passes]");
      System.exit(2);
    }
    Path model = Path.of(args[0]);
    Path dir = Path.of(args[1]);
    int batch = args.length > 2 ? Integer.parseInt(args[2]) : 32;
    int threads = args.length > 3 ? Integer.parseInt(args[3]) : 0;
    int passes = args.length > 4 ? Integer.parseInt(args[4]) : 1;
    List<Path> files = jpegs(dir);
    if (files.isEmpty()) {
      throw new IllegalArgumentException("no *.jpg files in " + dir);
    }
    // The job's embedder: ModelConfig.of + device cpu + --intra-op-threads (0 by default).
    ModelConfig config = ModelConfig.of(model).withDevice(Device.CPU).withIntraOpThreads(threads);
    try (OnnxEmbedder embedder = OnnxEmbedder.open(config)) {
      ImageDecoder decoder = new ImageDecoder(DecoderOptions.defaults());
      TorchvisionPreprocessor pre = new TorchvisionPreprocessor(embedder.preprocessSpec());
      long t0 = System.nanoTime();
      List<float[]> tensors = new ArrayList<>(files.size());
      for (Path f : files) {
        tensors.add(pre.preprocess(decoder.decode(Files.readAllBytes(f))));
      }
      double decodeSeconds = (System.nanoTime() - t0) / 1e9;
      System.out.printf(
          Locale.ROOT,
          "decode+preprocess (1 thread, before timing): %d images in %.1f s = %.1f images/s%n",
          files.size(),
          decodeSeconds,
          files.size() / decodeSeconds);

      int warmup = embedder.embed(tensors.subList(0, Math.min(batch, tensors.size()))).length;
      long start = System.nanoTime();
      int images = 0;
      int calls = 0;
      for (int p = 0; p < passes; p++) {
        for (int i = 0; i < tensors.size(); i += batch) {
          float[][] out = embedder.embed(tensors.subList(i, Math.min(i + batch, tensors.size())));
          images += out.length;
          calls++;
        }
      }
      double seconds = (System.nanoTime() - start) / 1e9;
      double rate = images / seconds;
      System.out.printf(
          Locale.ROOT,
          "ORT-only %s, batch %d, %s, %s: %d images in %d calls, %.1f s = %.1f images/s%n",
          embedder.model().id(),
          batch,
          threads == 0 ? "intra-op threads: ORT default" : "intra-op threads: " + threads,
          embedder.provider(),
          images,
          calls,
          seconds,
          rate);
      System.out.printf(
          Locale.ROOT,
          "RESULT images=%d seconds=%.3f images_per_s=%.2f processed=%d%n",
          images,
          seconds,
          rate,
          images + warmup);
    }
  }

  private static List<Path> jpegs(Path dir) throws IOException {
    try (Stream<Path> s = Files.walk(dir)) {
      return s.filter(Files::isRegularFile)
          .filter(p -> p.getFileName().toString().toLowerCase(Locale.ROOT).endsWith(".jpg"))
          .filter(p -> !p.getFileName().toString().startsWith("."))
          .sorted()
          .toList();
    }
  }
}
