package dev.imgsearch.core.store;

import io.milvus.v2.common.IndexParam;

/**
 * How Milvus compares two vectors, and so what a hit's {@code distance} means.
 *
 * <p>For {@link #COSINE} and {@link #IP} the value is a similarity: higher is closer (COSINE is in
 * [-1, 1], 1 for identical directions). For {@link #L2} it is a (squared Euclidean) distance: lower
 * is closer, 0 for identical vectors. Milvus returns hits closest first in both cases.
 */
public enum MetricType {
  COSINE(IndexParam.MetricType.COSINE, true),
  L2(IndexParam.MetricType.L2, false),
  IP(IndexParam.MetricType.IP, true);

  private final IndexParam.MetricType sdkType;
  private final boolean higherIsCloser;

  MetricType(IndexParam.MetricType sdkType, boolean higherIsCloser) {
    this.sdkType = sdkType;
    this.higherIsCloser = higherIsCloser;
  }

  /** True when a larger {@code distance} means a closer match (COSINE, IP). */
  public boolean higherIsCloser() {
    return higherIsCloser;
  }

  IndexParam.MetricType toSdk() {
    return sdkType;
  }

  /** The metric for the SDK's value, as an index description reports it. */
  static MetricType fromSdk(IndexParam.MetricType sdk) {
    for (MetricType type : values()) {
      if (type.sdkType == sdk) {
        return type;
      }
    }
    throw new IllegalArgumentException(
        "the collection's index uses metric " + sdk + ", which this tool does not support");
  }

  /** Case-insensitive parse with a message that lists the choices. */
  public static MetricType parse(String value) {
    for (MetricType type : values()) {
      if (type.name().equalsIgnoreCase(value == null ? "" : value.strip())) {
        return type;
      }
    }
    throw new IllegalArgumentException("Unknown metric '" + value + "'; use one of COSINE, L2, IP");
  }
}
