package dev.imgsearch.core.bench;

import dev.imgsearch.core.config.Device;
import dev.imgsearch.core.config.ModelConfig;
import dev.imgsearch.core.embed.OnnxEmbedder;
import dev.imgsearch.core.image.DecoderOptions;
import dev.imgsearch.core.image.ImageDecoder;
import dev.imgsearch.core.preprocess.TorchvisionPreprocessor;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/**
 * How far the fast decode ({@code --fast-decode}: reduced-size JPEG decode, then the exact resize)
 * moves embeddings from the exact path, on real photos and a real encoder: cosine per photo, mean
 * and min, for each minimum short side of the reduced decode.
 *
 * <p>Usage: {@code FastDecodeDriftBench MODEL.onnx FOLDER [SHORT_SIDE...]} (default 256 512).
 */
public final class FastDecodeDriftBench {

  public static void main(String[] args) throws Exception {
    Path model = Path.of(args[0]);
    List<Path> files;
    try (Stream<Path> s = Files.walk(Path.of(args[1]))) {
      files = s.filter(p -> p.toString().toLowerCase().matches(".*\\.jpe?g$")).sorted().toList();
    }
    List<Integer> sides = new ArrayList<>();
    for (int i = 2; i < args.length; i++) {
      sides.add(Integer.parseInt(args[i]));
    }
    if (sides.isEmpty()) {
      sides = List.of(256, 512);
    }
    try (OnnxEmbedder embedder =
        OnnxEmbedder.open(ModelConfig.of(model).withDevice(Device.CPU).withAllowSpinning(false))) {
      TorchvisionPreprocessor pre = new TorchvisionPreprocessor(embedder.preprocessSpec());
      float[][] exact =
          embed(
              embedder,
              pre,
              new ImageDecoder(DecoderOptions.defaults().withReducedDecode(0)),
              files);
      System.out.printf("%d JPEGs under %s, model %s%n", files.size(), args[1], model);
      for (int side : sides) {
        ImageDecoder fast = new ImageDecoder(DecoderOptions.defaults().withReducedDecode(side));
        float[][] reduced = embed(embedder, pre, fast, files);
        double sum = 0;
        double min = 1;
        for (int i = 0; i < files.size(); i++) {
          double c = dot(exact[i], reduced[i]);
          sum += c;
          min = Math.min(min, c);
        }
        System.out.printf(
            "reduced decode, short side >= %d: cosine to exact mean %.6f, min %.6f%n",
            side, sum / files.size(), min);
      }
    }
  }

  private static float[][] embed(
      OnnxEmbedder embedder, TorchvisionPreprocessor pre, ImageDecoder decoder, List<Path> files)
      throws Exception {
    float[][] out = new float[files.size()][];
    for (int i = 0; i < files.size(); i++) {
      out[i] =
          embedder
              .embed(List.of(pre.preprocess(decoder.decode(Files.readAllBytes(files.get(i))))))[0];
    }
    return out;
  }

  private static double dot(float[] a, float[] b) {
    double s = 0;
    for (int i = 0; i < a.length; i++) {
      s += (double) a[i] * b[i];
    }
    return s;
  }
}
