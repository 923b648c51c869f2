package dev.imgsearch.core.store;

import io.milvus.v2.common.IndexParam;

/**
 * Vector index types we support: those that real Milvus and Milvus Lite both build for float
 * vectors. {@link #AUTOINDEX} lets the server choose (HNSW-like on standalone Milvus).
 */
public enum IndexType {
  AUTOINDEX(IndexParam.IndexType.AUTOINDEX),
  HNSW(IndexParam.IndexType.HNSW),
  IVF_FLAT(IndexParam.IndexType.IVF_FLAT),
  FLAT(IndexParam.IndexType.FLAT);

  private final IndexParam.IndexType sdkType;

  IndexType(IndexParam.IndexType sdkType) {
    this.sdkType = sdkType;
  }

  IndexParam.IndexType toSdk() {
    return sdkType;
  }

  public static IndexType parse(String value) {
    for (IndexType type : values()) {
      if (type.name().equalsIgnoreCase(value == null ? "" : value.strip())) {
        return type;
      }
    }
    throw new IllegalArgumentException(
        "Unknown index type '" + value + "'; use one of AUTOINDEX, HNSW, IVF_FLAT, FLAT");
  }
}
