package dev.imgsearch.core.store;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.SplittableRandom;

/** Deterministic rows for store tests: random unit vectors, so COSINE and IP agree. */
final class TestImages {

  private TestImages() {}

  static float[] unitVector(int dimension, long seed) {
    SplittableRandom random = new SplittableRandom(seed);
    float[] vector = new float[dimension];
    double norm = 0;
    for (int i = 0; i < dimension; i++) {
      vector[i] = (float) random.nextGaussian();
      norm += vector[i] * vector[i];
    }
    float scale = (float) (1 / Math.sqrt(norm));
    for (int i = 0; i < dimension; i++) {
      vector[i] *= scale;
    }
    return vector;
  }

  static String sha256Of(long seed) {
    byte[] bytes = new byte[32];
    new SplittableRandom(seed).nextBytes(bytes);
    return HexFormat.of().formatHex(bytes);
  }

  static ImageRecord image(String path, int dimension, long seed) {
    return ImageRecord.of(
        Path.of(path),
        ImageRecord.STILL_IMAGE,
        unitVector(dimension, seed),
        sha256Of(seed),
        1000 + seed,
        640,
        480,
        1_700_000_000_000L + seed,
        "resnet50-test",
        1_800_000_000_000L);
  }

  static List<ImageRecord> images(String folder, int count, int dimension) {
    List<ImageRecord> rows = new ArrayList<>(count);
    for (int i = 0; i < count; i++) {
      rows.add(image(folder + "/img-" + i + ".jpg", dimension, i));
    }
    return rows;
  }
}
