package dev.imgsearch.core.store;

import java.util.Map;
import java.util.Objects;

/**
 * The vector index to build: its type and build parameters. Use the factories, which check the
 * parameter ranges Milvus accepts.
 *
 * @param type index type
 * @param hnswM HNSW graph degree (4-64); 0 unless HNSW
 * @param hnswEfConstruction HNSW build-time candidate list size (8-512); 0 unless HNSW
 * @param ivfNlist IVF cluster count (1-65536); 0 unless IVF_FLAT
 */
public record VectorIndex(IndexType type, int hnswM, int hnswEfConstruction, int ivfNlist)
    implements java.io.Serializable {

  public VectorIndex {
    Objects.requireNonNull(type, "index type must not be null");
    if (type == IndexType.HNSW) {
      requireRange("HNSW M", hnswM, 4, 64);
      requireRange("HNSW efConstruction", hnswEfConstruction, 8, 512);
    }
    if (type == IndexType.IVF_FLAT) {
      requireRange("IVF_FLAT nlist", ivfNlist, 1, 65536);
    }
  }

  public static VectorIndex autoIndex() {
    return new VectorIndex(IndexType.AUTOINDEX, 0, 0, 0);
  }

  public static VectorIndex flat() {
    return new VectorIndex(IndexType.FLAT, 0, 0, 0);
  }

  public static VectorIndex hnsw(int m, int efConstruction) {
    return new VectorIndex(IndexType.HNSW, m, efConstruction, 0);
  }

  public static VectorIndex ivfFlat(int nlist) {
    return new VectorIndex(IndexType.IVF_FLAT, 0, 0, nlist);
  }

  /** Build parameters as Milvus names them. */
  Map<String, Object> buildParams() {
    return switch (type) {
      case HNSW -> Map.of("M", hnswM, "efConstruction", hnswEfConstruction);
      case IVF_FLAT -> Map.of("nlist", ivfNlist);
      case AUTOINDEX, FLAT -> Map.of();
    };
  }

  private static void requireRange(String what, int value, int min, int max) {
    if (value < min || value > max) {
      throw new IllegalArgumentException(
          what + " is " + value + "; Milvus accepts " + min + " to " + max);
    }
  }
}
