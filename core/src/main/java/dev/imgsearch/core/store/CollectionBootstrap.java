package dev.imgsearch.core.store;

import io.milvus.v2.service.collection.response.DescribeCollectionResp;
import io.milvus.v2.service.index.request.CreateIndexReq;
import io.milvus.v2.service.index.response.DescribeIndexResp;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Makes the collection fit a {@link CollectionSpec} before anything is written (the writer's side:
 * create it with its vector index when missing, otherwise check its fields, dimension and metric),
 * or reads the spec of an existing one (the reader's side). Both end with the collection loaded.
 */
final class CollectionBootstrap {

  private static final Logger LOG = LoggerFactory.getLogger(CollectionBootstrap.class);

  private final MilvusConnection connection;
  private final CollectionCatalog catalog;

  CollectionBootstrap(MilvusConnection connection) {
    this.connection = connection;
    this.catalog = new CollectionCatalog(connection);
  }

  /**
   * Creates the collection and its index when missing, or validates an existing one, then loads it.
   * The index is built asynchronously: over existing rows that can take minutes, and searches work
   * meanwhile.
   *
   * @throws SchemaMismatchException if it exists with another dimension, metric or fields
   */
  void ensure(CollectionSpec spec) {
    String name = connection.collection();
    boolean exists = catalog.exists();
    if (!exists) {
      try {
        connection.run(
            "create collection",
            client ->
                client.createCollection(
                    ImageCollectionSchema.createRequest(connection.database(), name, spec)));
        LOG.info("Created collection {} ({}-d, {})", name, spec.dimension(), spec.metric());
      } catch (MilvusStoreException e) {
        // Another writer (a parallel subtask, a second job) may have created it first.
        if (!catalog.exists()) {
          throw e;
        }
        exists = true;
      }
    }
    if (exists) {
      ImageCollectionSchema.validate(name, catalog.describe(), spec);
    }
    ensureVectorIndex(spec);
    catalog.load();
  }

  /**
   * The spec of an existing collection, read from Milvus (dimension from the vector field, metric
   * and index from its index), so that a reader needs none; the collection is loaded.
   *
   * @throws CollectionNotFoundException if there is no such collection
   * @throws SchemaMismatchException if it was not created by this tool, or has no vector index
   */
  CollectionSpec describeExisting() {
    String name = connection.collection();
    if (!catalog.exists()) {
      throw new CollectionNotFoundException(name, connection.config().uri(), catalog.names());
    }
    DescribeCollectionResp described = catalog.describe();
    var vectorField = described.getCollectionSchema().getField(ImageFields.VECTOR);
    if (vectorField == null || vectorField.getDimension() == null) {
      throw new SchemaMismatchException(
          "Collection '"
              + name
              + "' has no vector field '"
              + ImageFields.VECTOR
              + "'; it was not created by this tool. Use another collection (--collection)");
    }
    DescribeIndexResp.IndexDesc index = catalog.vectorIndex();
    if (index == null) {
      throw new SchemaMismatchException(
          "Collection '"
              + name
              + "' has no vector index, so its metric is unknown; run the ingestion job on it"
              + " once (it creates the index), or create one on '"
              + ImageFields.VECTOR
              + "'");
    }
    CollectionSpec spec =
        new CollectionSpec(
            vectorField.getDimension(), MetricType.fromSdk(index.getMetricType()), toIndex(index));
    ImageCollectionSchema.validate(name, described, spec);
    catalog.load();
    return spec;
  }

  private void ensureVectorIndex(CollectionSpec spec) {
    String name = connection.collection();
    DescribeIndexResp.IndexDesc index = catalog.vectorIndex();
    if (index == null) {
      connection.run(
          "create index",
          client ->
              client.createIndex(
                  CreateIndexReq.builder()
                      .databaseName(connection.database())
                      .collectionName(name)
                      .indexParams(List.of(ImageCollectionSchema.vectorIndex(spec)))
                      .sync(false)
                      .build()));
      LOG.info("Requested {} index on {}.{}", spec.index().type(), name, ImageFields.VECTOR);
      return;
    }
    if (index.getMetricType() != spec.metric().toSdk()) {
      throw new SchemaMismatchException(
          "Collection '"
              + name
              + "' is indexed for "
              + index.getMetricType()
              + " but "
              + spec.metric()
              + " was requested: distances would mean something else. Use --metric "
              + index.getMetricType()
              + ", another collection (--collection), or drop '"
              + name
              + "' to recreate it");
    }
    if (!spec.index().type().toSdk().equals(index.getIndexType())) {
      // Not fatal: any index type returns the same metric, only speed and recall differ.
      LOG.warn(
          "Collection {} has a {} index, not the requested {}; keeping it",
          name,
          index.getIndexType(),
          spec.index().type());
    }
  }

  /** Our {@link VectorIndex} for a described index; types we do not build read as AUTOINDEX. */
  private static VectorIndex toIndex(DescribeIndexResp.IndexDesc index) {
    Map<String, String> params = index.getExtraParams() == null ? Map.of() : index.getExtraParams();
    if (index.getIndexType() == null) {
      return VectorIndex.autoIndex();
    }
    return switch (index.getIndexType()) {
      case HNSW ->
          VectorIndex.hnsw(
              intParam(params, "M", 16, 4, 64), intParam(params, "efConstruction", 200, 8, 512));
      case IVF_FLAT -> VectorIndex.ivfFlat(intParam(params, "nlist", 128, 1, 65536));
      case FLAT -> VectorIndex.flat();
      default -> VectorIndex.autoIndex();
    };
  }

  private static int intParam(
      Map<String, String> params, String key, int fallback, int min, int max) {
    try {
      int value = Integer.parseInt(params.getOrDefault(key, "").strip());
      return value < min || value > max ? fallback : value;
    } catch (NumberFormatException e) {
      return fallback;
    }
  }
}
