package dev.imgsearch.core.bench;

import static org.bytedeco.opencv.global.opencv_imgcodecs.IMREAD_COLOR_RGB;
import static org.bytedeco.opencv.global.opencv_imgcodecs.imdecode;

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
import java.util.Locale;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;
import org.bytedeco.javacpp.BytePointer;
import org.bytedeco.opencv.global.opencv_core;
import org.bytedeco.opencv.opencv_core.Mat;

/**
 * Decode + preprocess throughput: file bytes (in memory) to the 224x224 RGB window the embedder
 * normalizes, plus the normalisation into floats, in the exact mode and the two reduced-size JPEG
 * modes, on 1..N threads, and a per-stage profile of the exact path on one thread.
 *
 * <p>Usage: {@code DecodePreprocessBench [--seconds S] [--threads 1,2] [--rounds N] [--no-stages]
 * IMAGE_OR_FOLDER... [seconds]}. The images are read once and cycled through. Each figure is the
 * best of the rounds; the modes run interleaved within each round, so compare them within one run.
 * It only uses the public API ({@code ImageDecoder.decode}, {@code TorchvisionPreprocessor.window}
 * and {@code normalize}), so the same class measures an older build of the main classes put first
 * on the class path.
 */
public final class DecodePreprocessBench {

  private static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();

  /** CPU time of the whole JVM (GC and JIT threads too), as Python's process_time counts. */
  private static long processCpuNanos() {
    return ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean())
        .getProcessCpuTime();
  }

  public static void main(String[] args) throws Exception {
    Locale.setDefault(Locale.ROOT);
    double seconds = 3;
    int rounds = 2;
    boolean stages = true;
    List<Integer> threads = List.of(1);
    List<Path> inputs = new ArrayList<>();
    for (int i = 0; i < args.length; i++) {
      switch (args[i]) {
        case "--seconds" -> seconds = Double.parseDouble(args[++i]);
        case "--rounds" -> rounds = Integer.parseInt(args[++i]);
        case "--no-stages" -> stages = false;
        case "--threads" ->
            threads = Stream.of(args[++i].split(",")).map(Integer::valueOf).toList();
        default -> {
          if (args[i].matches("\\d+(\\.\\d+)?") && !Files.exists(Path.of(args[i]))) {
            seconds = Double.parseDouble(args[i]); // the old form: IMAGE [seconds]
          } else {
            inputs.add(Path.of(args[i]));
          }
        }
      }
    }
    List<byte[]> files = read(inputs);
    if (files.isEmpty()) {
      System.err.println("usage: DecodePreprocessBench [options] IMAGE_OR_FOLDER...");
      System.exit(2);
    }
    TorchvisionPreprocessor pre = new TorchvisionPreprocessor(PreprocessSpec.imagenet());
    DecodedImage first = new ImageDecoder(DecoderOptions.defaults()).decode(files.get(0));
    System.out.printf(
        "%d images (first %dx%d), %.1f s per figure, best of %d rounds, threads %s%n",
        files.size(), first.width(), first.height(), seconds, rounds, threads);

    int[] modes = {0, 512, 256};
    double[][] best = new double[modes.length][threads.size()];
    double[][] bestCpu = new double[modes.length][threads.size()];
    double[] stageBest = null;
    // Warm-up: let the JIT compile every path before anything is timed (its threads' CPU time
    // would otherwise land in the first figures).
    for (int m = 0; m < modes.length; m++) {
      run(
          new ImageDecoder(DecoderOptions.defaults().withReducedDecode(modes[m])),
          pre,
          files,
          1,
          Math.max(2, seconds));
    }
    for (int round = 0; round < rounds; round++) {
      for (int m = 0; m < modes.length; m++) {
        ImageDecoder decoder =
            new ImageDecoder(DecoderOptions.defaults().withReducedDecode(modes[m]));
        run(decoder, pre, files, 1, seconds / 3); // warm-up
        for (int t = 0; t < threads.size(); t++) {
          double[] r = run(decoder, pre, files, threads.get(t), seconds);
          best[m][t] = Math.max(best[m][t], r[0]);
          bestCpu[m][t] = round == 0 ? r[1] : Math.min(bestCpu[m][t], r[1]);
        }
      }
      if (stages) {
        double[] s = stages(pre, files, seconds);
        if (stageBest == null) {
          stageBest = s;
        } else {
          for (int i = 0; i < s.length; i++) {
            stageBest[i] = Math.min(stageBest[i], s[i]);
          }
        }
      }
    }
    for (int m = 0; m < modes.length; m++) {
      StringBuilder line =
          new StringBuilder(
              String.format(
                  "%-34s", modes[m] == 0 ? "exact" : "reduced (short side >= " + modes[m] + ")"));
      for (int t = 0; t < threads.size(); t++) {
        line.append(
            String.format(
                "  %d thread(s): %6.1f images/s, %.2f CPU ms/image",
                threads.get(t), best[m][t], bestCpu[m][t]));
      }
      if (threads.size() > 1) {
        line.append(
            String.format(
                "  (x%.2f from %d to %d)",
                best[m][threads.size() - 1] / best[m][0],
                threads.get(0),
                threads.get(threads.size() - 1)));
      }
      System.out.println(line);
    }
    if (stageBest != null) {
      System.out.printf(
          "exact path per stage, 1 thread, ms/image (thread CPU time, best of %d):%n"
              + "  OpenCV imdecode alone (RGB, into a native Mat)  %.3f%n"
              + "  ImageDecoder.decode (header, decode, copy out)  %.3f%n"
              + "  window: resize + crop to 224x224 RGB bytes      %.3f%n"
              + "  normalize: window to CHW float32                 %.3f%n"
              + "  whole path: decode + window + normalize          %.3f (%.1f images/s)%n"
              + "  after the decode: window + normalize             %.3f%n",
          rounds,
          stageBest[0],
          stageBest[1],
          stageBest[2],
          stageBest[3],
          stageBest[4],
          1000 / stageBest[4],
          stageBest[2] + stageBest[3]);
    }
  }

  private static List<byte[]> read(List<Path> inputs) throws Exception {
    List<byte[]> files = new ArrayList<>();
    for (Path in : inputs) {
      List<Path> paths;
      if (Files.isDirectory(in)) {
        try (Stream<Path> s = Files.list(in)) {
          paths =
              s.filter(p -> p.toString().toLowerCase(Locale.ROOT).matches(".*\\.(jpe?g|png)$"))
                  .sorted()
                  .toList();
        }
      } else {
        paths = List.of(in);
      }
      for (Path p : paths) {
        files.add(Files.readAllBytes(p));
      }
    }
    return files;
  }

  /**
   * Decode + window + normalize on {@code threads} threads, each cycling the files: {images/s (wall
   * clock), CPU ms per image (the whole JVM's CPU time, GC and JIT threads included)}.
   */
  private static double[] run(
      ImageDecoder decoder,
      TorchvisionPreprocessor pre,
      List<byte[]> files,
      int threads,
      double seconds)
      throws Exception {
    AtomicLong done = new AtomicLong();
    AtomicLong cpuNanos = new AtomicLong();
    CountDownLatch start = new CountDownLatch(1);
    List<Thread> workers = new ArrayList<>();
    long[] end = new long[1];
    Throwable[] failure = new Throwable[1];
    for (int t = 0; t < threads; t++) {
      int offset = t;
      Thread w =
          new Thread(
              () -> {
                float[] out = new float[pre.spec().tensorSize()];
                try {
                  start.await();
                  long n = 0;
                  for (int i = offset; System.nanoTime() < end[0]; i++) {
                    byte[] window = pre.window(decoder.decode(files.get(i % files.size())));
                    pre.normalize(window, out, 0);
                    n++;
                  }
                  done.addAndGet(n);
                } catch (Throwable e) {
                  failure[0] = e;
                }
              });
      w.start();
      workers.add(w);
    }
    long t0 = System.nanoTime();
    long cpu0 = processCpuNanos();
    end[0] = t0 + (long) (seconds * 1e9);
    start.countDown();
    for (Thread w : workers) {
      w.join();
    }
    cpuNanos.set(processCpuNanos() - cpu0);
    if (failure[0] != null) {
      throw new IllegalStateException("bench worker failed", failure[0]);
    }
    double wall = (System.nanoTime() - t0) / 1e9;
    return new double[] {done.get() / wall, cpuNanos.get() / 1e6 / done.get()};
  }

  /** Milliseconds of thread CPU time per image for each stage of the exact path. */
  private static double[] stages(TorchvisionPreprocessor pre, List<byte[]> files, double seconds)
      throws Exception {
    ImageDecoder exact = new ImageDecoder(DecoderOptions.defaults().withReducedDecode(0));
    DecodedImage[] images = new DecodedImage[files.size()];
    byte[][] windows = new byte[files.size()][];
    for (int i = 0; i < images.length; i++) {
      images[i] = exact.decode(files.get(i));
      windows[i] = pre.window(images[i]);
    }
    float[] out = new float[pre.spec().tensorSize()];
    double per = seconds / 3;
    Stage imdecode =
        i -> {
          byte[] d = files.get(i % files.size());
          try (BytePointer p = new BytePointer(d);
              Mat encoded = new Mat(1, d.length, opencv_core.CV_8UC1, p);
              Mat decoded = imdecode(encoded, IMREAD_COLOR_RGB)) {
            if (decoded.empty()) {
              throw new IllegalStateException("OpenCV could not decode image " + i);
            }
          }
        };
    Stage decode = i -> exact.decode(files.get(i % files.size()));
    Stage window = i -> pre.window(images[i % images.length]);
    Stage normalize = i -> pre.normalize(windows[i % windows.length], out, 0);
    Stage whole = i -> pre.normalize(pre.window(exact.decode(files.get(i % files.size()))), out, 0);
    return new double[] {
      time(imdecode, per),
      time(decode, per),
      time(window, per),
      time(normalize, per),
      time(whole, per)
    };
  }

  private interface Stage {
    void run(int i) throws Exception;
  }

  private static double time(Stage stage, double seconds) throws Exception {
    for (int i = 0; i < 20; i++) {
      stage.run(i); // warm-up
    }
    long wallEnd = System.nanoTime() + (long) (seconds * 1e9);
    long cpu0 = THREADS.getCurrentThreadCpuTime();
    int n = 0;
    while (System.nanoTime() < wallEnd) {
      stage.run(n++);
    }
    return (THREADS.getCurrentThreadCpuTime() - cpu0) / 1e6 / n;
  }
}
