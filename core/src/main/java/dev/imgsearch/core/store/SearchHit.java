package dev.imgsearch.core.store;

import java.util.Map;

/**
 * One match. {@code distance} is Milvus's score: a similarity for COSINE and IP (higher is closer),
 * a squared distance for L2 (lower is closer); see {@link MetricType#higherIsCloser()}. The typed
 * accessors read {@code fields}, which holds the requested output fields.
 */
public record SearchHit(String id, float distance, Map<String, Object> fields) {

  public SearchHit {
    fields = Map.copyOf(fields);
  }

  public String filepath() {
    return (String) field(ImageFields.FILEPATH);
  }

  public long frameMs() {
    return ((Number) field(ImageFields.FRAME_MS)).longValue();
  }

  public String contentSha256() {
    return (String) field(ImageFields.CONTENT_SHA256);
  }

  public long sizeBytes() {
    return ((Number) field(ImageFields.SIZE_BYTES)).longValue();
  }

  public int width() {
    return ((Number) field(ImageFields.WIDTH)).intValue();
  }

  public int height() {
    return ((Number) field(ImageFields.HEIGHT)).intValue();
  }

  public long mtimeMs() {
    return ((Number) field(ImageFields.MTIME_MS)).longValue();
  }

  public String model() {
    return (String) field(ImageFields.MODEL);
  }

  public long ingestedAtMs() {
    return ((Number) field(ImageFields.INGESTED_AT_MS)).longValue();
  }

  private Object field(String name) {
    Object value = fields.get(name);
    if (value == null) {
      throw new IllegalStateException(
          "field '" + name + "' was not returned; add it to SearchRequest.outputFields");
    }
    return value;
  }
}
