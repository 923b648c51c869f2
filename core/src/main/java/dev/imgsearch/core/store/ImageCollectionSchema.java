package dev.imgsearch.core.store;

import io.milvus.v2.common.DataType;
import io.milvus.v2.common.IndexParam;
import io.milvus.v2.service.collection.request.AddFieldReq;
import io.milvus.v2.service.collection.request.CreateCollectionReq;
import io.milvus.v2.service.collection.request.CreateCollectionReq.CollectionSchema;
import io.milvus.v2.service.collection.request.CreateCollectionReq.FieldSchema;
import io.milvus.v2.service.collection.response.DescribeCollectionResp;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** The image collection's fields: builds them for a new collection, checks an existing one. */
final class ImageCollectionSchema {

  private ImageCollectionSchema() {}

  /** Expected scalar fields and their types; the vector field is checked separately. */
  private static final Map<String, DataType> SCALARS = scalars();

  private static Map<String, DataType> scalars() {
    Map<String, DataType> fields = new LinkedHashMap<>();
    fields.put(ImageFields.ID, DataType.VarChar);
    fields.put(ImageFields.FILEPATH, DataType.VarChar);
    fields.put(ImageFields.CONTENT_SHA256, DataType.VarChar);
    fields.put(ImageFields.SIZE_BYTES, DataType.Int64);
    fields.put(ImageFields.WIDTH, DataType.Int32);
    fields.put(ImageFields.HEIGHT, DataType.Int32);
    fields.put(ImageFields.MTIME_MS, DataType.Int64);
    fields.put(ImageFields.MODEL, DataType.VarChar);
    fields.put(ImageFields.INGESTED_AT_MS, DataType.Int64);
    fields.put(ImageFields.FRAME_MS, DataType.Int64);
    return fields;
  }

  static CollectionSchema build(CollectionSpec spec) {
    CollectionSchema schema = CollectionSchema.builder().enableDynamicField(false).build();
    schema.addField(
        AddFieldReq.builder()
            .fieldName(ImageFields.ID)
            .dataType(DataType.VarChar)
            .maxLength(ImageFields.ID_MAX_LENGTH)
            .isPrimaryKey(true)
            // We set ids ourselves (ImageIds) so that re-ingestion upserts.
            .autoID(false)
            .build());
    schema.addField(varchar(ImageFields.FILEPATH, ImageFields.FILEPATH_MAX_LENGTH));
    schema.addField(
        AddFieldReq.builder()
            .fieldName(ImageFields.VECTOR)
            .dataType(DataType.FloatVector)
            .dimension(spec.dimension())
            .build());
    schema.addField(varchar(ImageFields.CONTENT_SHA256, ImageFields.SHA256_MAX_LENGTH));
    schema.addField(scalar(ImageFields.SIZE_BYTES, DataType.Int64));
    schema.addField(scalar(ImageFields.WIDTH, DataType.Int32));
    schema.addField(scalar(ImageFields.HEIGHT, DataType.Int32));
    schema.addField(scalar(ImageFields.MTIME_MS, DataType.Int64));
    schema.addField(varchar(ImageFields.MODEL, ImageFields.MODEL_MAX_LENGTH));
    schema.addField(scalar(ImageFields.INGESTED_AT_MS, DataType.Int64));
    schema.addField(scalar(ImageFields.FRAME_MS, DataType.Int64));
    return schema;
  }

  static IndexParam vectorIndex(CollectionSpec spec) {
    return IndexParam.builder()
        .fieldName(ImageFields.VECTOR)
        .indexName(ImageFields.VECTOR)
        .indexType(spec.index().type().toSdk())
        // Always explicit: Milvus Lite does not infer a default metric.
        .metricType(spec.metric().toSdk())
        .extraParams(spec.index().buildParams())
        .build();
  }

  /**
   * Checks that {@code existing} has our fields with our types and the spec's dimension.
   *
   * @throws SchemaMismatchException naming each difference and how to get out of it
   */
  static void validate(String collection, DescribeCollectionResp existing, CollectionSpec spec) {
    CollectionSchema schema = existing.getCollectionSchema();
    List<String> problems = new ArrayList<>();
    FieldSchema vector = schema.getField(ImageFields.VECTOR);
    if (vector == null || vector.getDataType() != DataType.FloatVector) {
      problems.add("no FLOAT_VECTOR field '" + ImageFields.VECTOR + "'");
    } else if (vector.getDimension() == null || vector.getDimension() != spec.dimension()) {
      throw new SchemaMismatchException(
          "Collection '"
              + collection
              + "' stores "
              + vector.getDimension()
              + "-d vectors but the model produces "
              + spec.dimension()
              + "-d vectors. Use another collection (--collection) for this model, or drop '"
              + collection
              + "' to re-ingest with it");
    }
    for (Map.Entry<String, DataType> expected : SCALARS.entrySet()) {
      FieldSchema field = schema.getField(expected.getKey());
      if (field == null) {
        problems.add("missing field '" + expected.getKey() + "'");
      } else if (field.getDataType() != expected.getValue()) {
        problems.add(
            "field '"
                + expected.getKey()
                + "' is "
                + field.getDataType()
                + ", expected "
                + expected.getValue());
      }
    }
    FieldSchema id = schema.getField(ImageFields.ID);
    if (id != null && !Boolean.TRUE.equals(id.getIsPrimaryKey())) {
      problems.add("field '" + ImageFields.ID + "' is not the primary key");
    }
    if (id != null && Boolean.TRUE.equals(id.getAutoID())) {
      problems.add("primary key '" + ImageFields.ID + "' is auto_id; ids must be ours");
    }
    if (!problems.isEmpty()) {
      throw new SchemaMismatchException(
          "Collection '"
              + collection
              + "' was not created by this tool: "
              + String.join("; ", problems)
              + ". Use another collection (--collection), or drop '"
              + collection
              + "' so it is recreated");
    }
  }

  private static AddFieldReq varchar(String name, int maxLength) {
    return AddFieldReq.builder()
        .fieldName(name)
        .dataType(DataType.VarChar)
        .maxLength(maxLength)
        .build();
  }

  private static AddFieldReq scalar(String name, DataType type) {
    return AddFieldReq.builder().fieldName(name).dataType(type).build();
  }

  static CreateCollectionReq createRequest(
      String database, String collection, CollectionSpec spec) {
    return CreateCollectionReq.builder()
        .databaseName(database)
        .collectionName(collection)
        .description("Images and video frames with their embeddings (imgsearch)")
        .collectionSchema(build(spec))
        .build();
  }
}
