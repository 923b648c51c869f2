package dev.imgsearch.core.bench;

import dev.imgsearch.core.config.Device;
import dev.imgsearch.core.config.ModelConfig;
import dev.imgsearch.core.embed.OnnxEmbedder;
import dev.imgsearch.core.image.DecoderOptions;
import dev.imgsearch.core.image.ImageDecoder;
import dev.imgsearch.core.preprocess.TorchvisionPreprocessor;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import java.util.stream.Stream;

/**
 * ONNX Runtime inference alone on real images, configured as the job configures it: pipeline (b) of
 * {@code bench.sh}.
 *
 * <p>Usage: {@code OrtOnlyBench MODEL.onnx IMAGE_DIR [batch] [threads] [passes] [sessions]
 * [device]} (defaults: 32; 0 = automatic, as the job's {@code --intra-op-threads 0}; 1 pass; 1, as
 * the job's {@code --inference-sessions 1}; {@code cpu}, or {@code cuda:N} / {@code auto} as the
 * job's {@code --device}). {@code batch} may be a comma-separated list, e.g. {@code 32,128,256}:
 * the images are decoded once, then each batch size runs with its own embedder (and warm-up), one
 * RESULT line each. Like the job, it keeps one batch in flight per session. It first decodes and
 * preprocesses every {@code *.jpg} of the folder into tensors with the job's decoder and the
 * model's preprocessing (not timed as inference; reported on its own line), runs one untimed
 * warm-up batch, then embeds all the images in batches of {@code batch} divided among the sessions,
 * in file order, {@code passes} times. Unlike {@link EmbedBench} (random tensors, fixed duration),
 * the images and the image count are the same as the other pipelines'. Holding all tensors costs
 * 0.6 MB per image of heap, which shows in the peak RSS.
 *
 * <p>Last line: {@code RESULT images=N seconds=S images_per_s=R processed=P}, P counting the
 * warm-up batch too.
 */
public final class OrtOnlyBench {

  public static void main(String[] args) throws Exception {
    if (args.length < 2) {
      System.err.println(
          "usage: OrtOnlyBench MODEL.onnx IMAGE_DIR [batch[,batch...]] [threads] [passes]"
              + " [sessions] [device]");
      System.exit(2);
    }
    Path model = Path.of(args[0]);
    Path dir = Path.of(args[1]);
    List<Integer> batches =
        args.length > 2
            ? Stream.of(args[2].split(",")).map(String::trim).map(Integer::parseInt).toList()
            : List.of(32);
    int threads = args.length > 3 ? Integer.parseInt(args[3]) : 0;
    int passes = args.length > 4 ? Integer.parseInt(args[4]) : 1;
    int sessions = args.length > 5 ? Integer.parseInt(args[5]) : 1;
    Device device = args.length > 6 ? Device.parse(args[6]) : Device.CPU;
    List<Path> files = jpegs(dir);
    if (files.isEmpty()) {
      throw new IllegalArgumentException("no *.jpg files in " + dir);
    }
    // The job's embedder: device cpu, --intra-op-threads (0) and --inference-sessions (1) by
    // default, warmed up at the batch size.
    ModelConfig config =
        ModelConfig.of(model).withDevice(device).withIntraOpThreads(threads).withSessions(sessions);
    List<float[]> tensors = null;
    for (int batch : batches) {
      try (OnnxEmbedder embedder = OnnxEmbedder.open(config, batch)) {
        if (tensors == null) {
          tensors = decodeAll(files, embedder);
        }
        run(embedder, tensors, batch, passes);
      }
    }
  }

  private static List<float[]> decodeAll(List<Path> files, OnnxEmbedder embedder) throws Exception {
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
    return tensors;
  }

  private static void run(OnnxEmbedder embedder, List<float[]> tensors, int batch, int passes) {
    int perRun = embedder.batchSize(); // the job's batch split among the sessions
    int warmup = embedder.embed(tensors.subList(0, Math.min(perRun, tensors.size()))).length;
    long start = System.nanoTime();
    int images = 0;
    int calls = 0;
    Deque<CompletableFuture<float[][]>> inFlight = new ArrayDeque<>();
    for (int p = 0; p < passes; p++) {
      for (int i = 0; i < tensors.size(); i += perRun) {
        if (inFlight.size() == embedder.sessions()) {
          images += inFlight.removeFirst().join().length;
        }
        inFlight.addLast(
            embedder.embedAsync(tensors.subList(i, Math.min(i + perRun, tensors.size()))));
        calls++;
      }
    }
    while (!inFlight.isEmpty()) {
      images += inFlight.removeFirst().join().length;
    }
    double seconds = (System.nanoTime() - start) / 1e9;
    double rate = images / seconds;
    System.out.printf(
        Locale.ROOT,
        "ORT-only %s, batch %d = %d session(s) x %d, each with %s, %s: %d images in %d calls,"
            + " %.1f s = %.1f images/s%n",
        embedder.model().id(),
        batch,
        embedder.sessions(),
        perRun,
        embedder.intraOpThreads() == 0
            ? "ORT's default threads"
            : embedder.intraOpThreads() + " intra-op thread(s)",
        embedder.provider(),
        images,
        calls,
        seconds,
        rate);
    System.out.printf(
        Locale.ROOT,
        "RESULT batch=%d images=%d seconds=%.3f images_per_s=%.2f processed=%d%n",
        batch,
        images,
        seconds,
        rate,
        images + warmup);
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
