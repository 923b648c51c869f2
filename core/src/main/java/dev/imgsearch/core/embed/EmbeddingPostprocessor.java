package dev.imgsearch.core.embed;

/**
 * Scales vectors to unit L2 length. With unit vectors, L2, inner product and cosine rank the same
 * neighbours, so the collection's metric can change without re-embedding.
 */
public final class EmbeddingPostprocessor {

  private EmbeddingPostprocessor() {}

  public static float[] l2Normalize(float[] v) {
    double sum = 0;
    for (float x : v) {
      sum += (double) x * x;
    }
    if (sum == 0) {
      return v;
    }
    float inv = (float) (1.0 / Math.sqrt(sum));
    for (int i = 0; i < v.length; i++) {
      v[i] *= inv;
    }
    return v;
  }
}
