package dev.imgsearch.core.store;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** An {@link ImageRecord} as a Milvus row (the JSON the SDK sends) and back from a query result. */
final class ImageRowCodec {

  /** Every field of a row: the metadata, the id and the vector. */
  static final List<String> ALL_FIELDS = allFields();

  private ImageRowCodec() {}

  static JsonObject toJson(ImageRecord row) {
    JsonObject json = new JsonObject();
    json.addProperty(ImageFields.ID, row.id());
    json.addProperty(ImageFields.FILEPATH, row.filepath());
    JsonArray vector = new JsonArray(row.vector().length);
    for (float value : row.vector()) {
      vector.add(value);
    }
    json.add(ImageFields.VECTOR, vector);
    json.addProperty(ImageFields.CONTENT_SHA256, row.contentSha256());
    json.addProperty(ImageFields.SIZE_BYTES, row.sizeBytes());
    json.addProperty(ImageFields.WIDTH, row.width());
    json.addProperty(ImageFields.HEIGHT, row.height());
    json.addProperty(ImageFields.MTIME_MS, row.mtimeMs());
    json.addProperty(ImageFields.MODEL, row.model());
    json.addProperty(ImageFields.INGESTED_AT_MS, row.ingestedAtMs());
    json.addProperty(ImageFields.FRAME_MS, row.frameMs());
    return json;
  }

  @SuppressWarnings("unchecked")
  static ImageRecord fromEntity(Map<String, Object> entity) {
    List<Number> values = (List<Number>) entity.get(ImageFields.VECTOR);
    float[] vector = new float[values.size()];
    for (int i = 0; i < vector.length; i++) {
      vector[i] = values.get(i).floatValue();
    }
    return new ImageRecord(
        (String) entity.get(ImageFields.ID),
        (String) entity.get(ImageFields.FILEPATH),
        vector,
        (String) entity.get(ImageFields.CONTENT_SHA256),
        ((Number) entity.get(ImageFields.SIZE_BYTES)).longValue(),
        ((Number) entity.get(ImageFields.WIDTH)).intValue(),
        ((Number) entity.get(ImageFields.HEIGHT)).intValue(),
        ((Number) entity.get(ImageFields.MTIME_MS)).longValue(),
        (String) entity.get(ImageFields.MODEL),
        ((Number) entity.get(ImageFields.INGESTED_AT_MS)).longValue(),
        ((Number) entity.get(ImageFields.FRAME_MS)).longValue());
  }

  private static List<String> allFields() {
    List<String> fields = new ArrayList<>(ImageFields.METADATA);
    fields.add(ImageFields.ID);
    fields.add(ImageFields.VECTOR);
    return List.copyOf(fields);
  }
}
