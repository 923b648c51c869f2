package dev.imgsearch.core.store;

import java.util.List;
import java.util.Objects;

/**
 * One similarity search.
 *
 * @param topK hits per query vector (1-16384)
 * @param filter Milvus boolean expression restricting candidates, or null; build it with {@link
 *     FilterExpressions} when it contains user data
 * @param searchEffort recall/speed knob of the index, or 0 for the server default: {@code ef} for
 *     HNSW (at least topK), {@code nprobe} for IVF_FLAT; ignored by FLAT and AUTOINDEX
 * @param outputFields fields returned with each hit; {@link ImageFields#METADATA} by default
 */
public record SearchRequest(int topK, String filter, int searchEffort, List<String> outputFields) {

  // Milvus's topk limit (quotaAndLimits.limits.topK).
  public static final int MAX_TOP_K = 16384;

  public SearchRequest {
    if (topK < 1 || topK > MAX_TOP_K) {
      throw new IllegalArgumentException("topK is " + topK + "; Milvus accepts 1 to " + MAX_TOP_K);
    }
    if (filter != null && filter.isBlank()) {
      filter = null;
    }
    if (searchEffort < 0) {
      throw new IllegalArgumentException(
          "searchEffort is "
              + searchEffort
              + "; use 0 for the server default or a positive ef/nprobe");
    }
    outputFields = List.copyOf(Objects.requireNonNull(outputFields, "outputFields"));
  }

  public static SearchRequest topK(int topK) {
    return new SearchRequest(topK, null, 0, ImageFields.METADATA);
  }

  public SearchRequest withFilter(String newFilter) {
    return new SearchRequest(topK, newFilter, searchEffort, outputFields);
  }

  public SearchRequest withSearchEffort(int effort) {
    return new SearchRequest(topK, filter, effort, outputFields);
  }

  public SearchRequest withOutputFields(List<String> fields) {
    return new SearchRequest(topK, filter, searchEffort, fields);
  }
}
