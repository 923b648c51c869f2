package dev.imgsearch.core.store;

import io.milvus.v2.service.collection.request.DescribeCollectionReq;
import io.milvus.v2.service.collection.request.GetLoadStateReq;
import io.milvus.v2.service.collection.request.HasCollectionReq;
import io.milvus.v2.service.collection.request.LoadCollectionReq;
import io.milvus.v2.service.collection.response.DescribeCollectionResp;
import io.milvus.v2.service.index.request.DescribeIndexReq;
import io.milvus.v2.service.index.request.ListIndexesReq;
import io.milvus.v2.service.index.response.DescribeIndexResp;
import java.util.ArrayList;
import java.util.List;

/**
 * What Milvus says about the configured collection, and loading it for search: every metadata call
 * of the store, in one place.
 */
final class CollectionCatalog {

  private final MilvusConnection connection;

  CollectionCatalog(MilvusConnection connection) {
    this.connection = connection;
  }

  boolean exists() {
    return connection.call(
        "check collection",
        client ->
            client.hasCollection(
                HasCollectionReq.builder()
                    .databaseName(connection.database())
                    .collectionName(connection.collection())
                    .build()));
  }

  /** The collections of the database, sorted: for a message about a missing one. */
  List<String> names() {
    List<String> names =
        new ArrayList<>(
            connection.call(
                "list collections", client -> client.listCollections().getCollectionNames()));
    names.sort(null);
    return names;
  }

  DescribeCollectionResp describe() {
    return connection.call(
        "describe collection",
        client ->
            client.describeCollection(
                DescribeCollectionReq.builder()
                    .databaseName(connection.database())
                    .collectionName(connection.collection())
                    .build()));
  }

  /** The index on the vector field, with its build progress; null when there is none. */
  DescribeIndexResp.IndexDesc vectorIndex() {
    List<String> indexes =
        connection.call(
            "list indexes",
            client ->
                client.listIndexes(
                    ListIndexesReq.builder()
                        .databaseName(connection.database())
                        .collectionName(connection.collection())
                        .fieldName(ImageFields.VECTOR)
                        .build()));
    if (indexes.isEmpty()) {
      return null;
    }
    DescribeIndexResp described =
        connection.call(
            "describe index",
            client ->
                client.describeIndex(
                    DescribeIndexReq.builder()
                        .databaseName(connection.database())
                        .collectionName(connection.collection())
                        .fieldName(ImageFields.VECTOR)
                        .indexName(indexes.get(0))
                        .build()));
    return described.getIndexDescriptions().isEmpty()
        ? null
        : described.getIndexDescriptions().get(0);
  }

  boolean isLoaded() {
    return connection.call(
        "get load state",
        client ->
            client.getLoadState(
                GetLoadStateReq.builder()
                    .databaseName(connection.database())
                    .collectionName(connection.collection())
                    .build()));
  }

  void load() {
    connection.run(
        "load collection",
        client ->
            client.loadCollection(
                LoadCollectionReq.builder()
                    .databaseName(connection.database())
                    .collectionName(connection.collection())
                    .build()));
  }
}
