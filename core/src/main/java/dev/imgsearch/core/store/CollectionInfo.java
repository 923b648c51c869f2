package dev.imgsearch.core.store;

import java.util.Map;

/**
 * What Milvus reports about the image collection's vector field and its index.
 *
 * @param name collection name
 * @param dimension vector dimension
 * @param metric the metric the vector index was built for, and so what search distances mean
 * @param indexType the index type as the server names it (e.g. AUTOINDEX, HNSW, IVF_FLAT)
 * @param indexParams the index's build parameters as the server reports them
 * @param indexState build state (e.g. Finished, InProgress), or "unknown"
 * @param indexedRows rows covered by the index so far
 * @param totalRows rows the index build saw
 */
public record CollectionInfo(
    String name,
    int dimension,
    MetricType metric,
    String indexType,
    Map<String, String> indexParams,
    String indexState,
    long indexedRows,
    long totalRows) {

  public CollectionInfo {
    indexParams = Map.copyOf(indexParams);
  }
}
