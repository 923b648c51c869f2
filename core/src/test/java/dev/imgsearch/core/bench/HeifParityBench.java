package dev.imgsearch.core.bench;

import dev.imgsearch.core.config.Device;
import dev.imgsearch.core.config.ModelConfig;
import dev.imgsearch.core.embed.Npy;
import dev.imgsearch.core.embed.OnnxEmbedder;
import dev.imgsearch.core.image.DecoderOptions;
import dev.imgsearch.core.image.ImageDecoder;
import dev.imgsearch.core.preprocess.TorchvisionPreprocessor;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * How close this project's HEIC/AVIF path comes to another implementation's, on a real encoder: for
 * each file, the preprocessed tensor (decode here, then the Java preprocessing) against the
 * reference tensor of libheif's decode run through PIL + torchvision ({@code make_heif.py
 * --reference-tensors DIR FILE...}), max and mean difference, and the cosine of the two embeddings;
 * then the reduced-size decode against the exact one (cosine).
 *
 * <p>Usage: {@code HeifParityBench MODEL.onnx REFERENCE_DIR FILE...}: the reference of FILE is
 * REFERENCE_DIR/NAME.tensor.npy, NAME being FILE's name.
 */
public final class HeifParityBench {

  public static void main(String[] args) throws Exception {
    Path model = Path.of(args[0]);
    Path refs = Path.of(args[1]);
    try (OnnxEmbedder embedder =
        OnnxEmbedder.open(ModelConfig.of(model).withDevice(Device.CPU).withAllowSpinning(false))) {
      TorchvisionPreprocessor pre = new TorchvisionPreprocessor(embedder.preprocessSpec());
      ImageDecoder exact = new ImageDecoder(DecoderOptions.defaults().withReducedDecode(0));
      ImageDecoder reduced = new ImageDecoder(DecoderOptions.defaults());
      ImageDecoder fast = new ImageDecoder(DecoderOptions.defaults().withReducedDecode(256));
      double minCosine = 1;
      for (int i = 2; i < args.length; i++) {
        Path file = Path.of(args[i]);
        byte[] data = Files.readAllBytes(file);
        float[] ours = pre.preprocess(exact.decode(data));
        float[] ref = Npy.read(refs.resolve(file.getFileName() + ".tensor.npy")).data();
        double max = 0;
        double sum = 0;
        for (int k = 0; k < ours.length; k++) {
          double d = Math.abs(ours[k] - ref[k]);
          max = Math.max(max, d);
          sum += d;
        }
        float[][] e = embedder.embed(List.of(ours, ref));
        double cosine = dot(e[0], e[1]);
        minCosine = Math.min(minCosine, cosine);
        float[] r512 = embedder.embed(List.of(pre.preprocess(reduced.decode(data))))[0];
        float[] r256 = embedder.embed(List.of(pre.preprocess(fast.decode(data))))[0];
        System.out.printf(
            "%-34s tensor max %.6f mean %.6f  cosine to reference %.7f"
                + "  reduced>=512 %.7f  reduced>=256 %.7f%n",
            file.getFileName(), max, sum / ours.length, cosine, dot(e[0], r512), dot(e[0], r256));
      }
      System.out.printf("min cosine to the reference: %.7f (model %s)%n", minCosine, model);
    }
  }

  private static double dot(float[] a, float[] b) {
    double s = 0;
    for (int i = 0; i < a.length; i++) {
      s += (double) a[i] * b[i];
    }
    return s;
  }
}
