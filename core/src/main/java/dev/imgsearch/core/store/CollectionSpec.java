package dev.imgsearch.core.store;

import java.util.Objects;

/**
 * The shape of the image collection: vector dimension, metric and index. The collection's name
 * comes from {@link dev.imgsearch.core.config.MilvusConfig#collection()}; its fields are fixed
 * ({@link ImageFields}).
 *
 * <p>Defaults follow Milvus's ResNet50 image-search tutorial: 2048-d embeddings compared by cosine
 * similarity, AUTOINDEX.
 *
 * @param dimension embedding size, as produced by the model (e.g. 2048 for ResNet50)
 * @param metric how vectors are compared
 * @param index the vector index to build
 */
public record CollectionSpec(int dimension, MetricType metric, VectorIndex index)
    implements java.io.Serializable {

  public static final int RESNET50_DIMENSION = 2048;
  // Milvus's limit for a FLOAT_VECTOR field (proxy.maxDimension).
  public static final int MAX_DIMENSION = 32768;

  public CollectionSpec {
    if (dimension < 1 || dimension > MAX_DIMENSION) {
      throw new IllegalArgumentException(
          "vector dimension is "
              + dimension
              + "; Milvus accepts 1 to "
              + MAX_DIMENSION
              + " (it must match the model's embedding size)");
    }
    Objects.requireNonNull(metric, "metric must not be null");
    Objects.requireNonNull(index, "index must not be null");
  }

  /** COSINE and AUTOINDEX for the given model dimension. */
  public static CollectionSpec forDimension(int dimension) {
    return new CollectionSpec(dimension, MetricType.COSINE, VectorIndex.autoIndex());
  }

  public CollectionSpec withMetric(MetricType newMetric) {
    return new CollectionSpec(dimension, newMetric, index);
  }

  public CollectionSpec withIndex(VectorIndex newIndex) {
    return new CollectionSpec(dimension, metric, newIndex);
  }
}
