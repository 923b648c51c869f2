package dev.imgsearch.core.testing;

import dev.imgsearch.core.store.ImageRecord;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.SplittableRandom;

/**
 * The one factory of rows for tests of every module: deterministic random unit vectors (so COSINE
 * and IP agree), with metadata derived from a seed.
 */
public final class TestRows {

  private TestRows() {}

  public static float[] unitVector(int dimension, long seed) {
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

  public static String sha256Of(long seed) {
    byte[] bytes = new byte[32];
    new SplittableRandom(seed).nextBytes(bytes);
    return HexFormat.of().formatHex(bytes);
  }

  public static ImageRecord image(String path, int dimension, long seed) {
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

  public static List<ImageRecord> images(String folder, int count, int dimension) {
    List<ImageRecord> rows = new ArrayList<>(count);
    for (int i = 0; i < count; i++) {
      rows.add(image(folder + "/img-" + i + ".jpg", dimension, i));
    }
    return rows;
  }

  /** A row of {@code file} at modification time {@code mtimeMs}, its vector seeded by both. */
  public static ImageRecord image(Path file, int dimension, long mtimeMs) {
    long seed = mtimeMs * 31 + file.hashCode();
    return ImageRecord.of(
        file,
        ImageRecord.STILL_IMAGE,
        unitVector(dimension, seed),
        sha256Of(seed),
        100,
        8,
        8,
        mtimeMs,
        "test-model",
        System.currentTimeMillis());
  }
}
