package dev.imgsearch.core.store;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import dev.imgsearch.core.config.MilvusConfig;
import io.milvus.v2.client.ConnectConfig;
import io.milvus.v2.client.MilvusClientV2;
import io.milvus.v2.client.RetryConfig;
import io.milvus.v2.common.ConsistencyLevel;
import io.milvus.v2.service.collection.request.DescribeCollectionReq;
import io.milvus.v2.service.collection.request.GetLoadStateReq;
import io.milvus.v2.service.collection.request.HasCollectionReq;
import io.milvus.v2.service.collection.request.LoadCollectionReq;
import io.milvus.v2.service.index.request.CreateIndexReq;
import io.milvus.v2.service.index.request.DescribeIndexReq;
import io.milvus.v2.service.index.request.ListIndexesReq;
import io.milvus.v2.service.index.response.DescribeIndexResp;
import io.milvus.v2.service.vector.request.DeleteReq;
import io.milvus.v2.service.vector.request.QueryReq;
import io.milvus.v2.service.vector.request.SearchReq;
import io.milvus.v2.service.vector.request.UpsertReq;
import io.milvus.v2.service.vector.request.data.BaseVector;
import io.milvus.v2.service.vector.request.data.FloatVec;
import io.milvus.v2.service.vector.response.QueryResp;
import io.milvus.v2.service.vector.response.SearchResp;
import io.milvus.v2.service.vector.response.UpsertResp;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The image collection in Milvus: upsert, search, count, get and delete rows.
 *
 * <p>{@link #open} connects, creates the collection and its vector index when missing (the index is
 * built asynchronously, so opening does not wait for it), checks that an existing collection
 * matches the {@link CollectionSpec}, and loads it for search. Writes are split into batches
 * ({@link Batches}) and every call retries transient errors under the {@link RetryPolicy}; upserts
 * and deletes are idempotent, so a retried call cannot duplicate rows. Writes are not flushed:
 * Milvus seals segments by itself, and STRONG reads see unflushed data.
 *
 * <p>Thread-safe as far as the SDK client is; one instance per Flink subtask is the intended use.
 */
public final class MilvusImageStore implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(MilvusImageStore.class);
  private static final String COUNT_FIELD = "count(*)";
  // Keeps "id in [...]" expressions and responses of get() a reasonable size.
  private static final int MAX_IDS_PER_CALL = 1000;
  // Paths are up to 1 KiB each: keeps a delete expression well under Milvus's request limits.
  private static final int MAX_PATHS_PER_DELETE = 200;

  private final MilvusClientV2 client;
  private final MilvusConfig config;
  private final CollectionSpec spec;
  private final StoreOptions options;
  private final Retrier retrier;

  private MilvusImageStore(
      MilvusClientV2 client,
      MilvusConfig config,
      CollectionSpec spec,
      StoreOptions options,
      Retrier retrier) {
    this.client = client;
    this.config = config;
    this.spec = spec;
    this.options = options;
    this.retrier = retrier;
  }

  public static MilvusImageStore open(MilvusConfig config, CollectionSpec spec) {
    return open(config, spec, StoreOptions.defaults());
  }

  /**
   * Connects and prepares the collection.
   *
   * @throws SchemaMismatchException if the collection exists with another dimension, metric or
   *     fields
   * @throws MilvusStoreException if Milvus cannot be reached or refuses a call
   */
  public static MilvusImageStore open(
      MilvusConfig config, CollectionSpec spec, StoreOptions options) {
    Retrier retrier =
        new Retrier(
            options.retry(), "Milvus " + config.uri() + " collection " + config.collection());
    MilvusClientV2 client = retrier.call("connect", () -> connect(config));
    MilvusImageStore store = new MilvusImageStore(client, config, spec, options, retrier);
    try {
      store.prepareCollection();
      return store;
    } catch (RuntimeException e) {
      store.close();
      throw e;
    }
  }

  /**
   * Connects to an existing collection without creating or changing anything: its dimension, metric
   * and index are read from Milvus, so a reader (the CLI) needs no {@link CollectionSpec}. The
   * collection is loaded for search.
   *
   * @throws CollectionNotFoundException if there is no such collection
   * @throws SchemaMismatchException if it was not created by this tool, or has no vector index
   * @throws MilvusUnavailableException if Milvus cannot be reached within the retry policy
   * @throws MilvusStoreException if Milvus refuses a call
   */
  public static MilvusImageStore openExisting(MilvusConfig config, StoreOptions options) {
    Retrier retrier =
        new Retrier(
            options.retry(), "Milvus " + config.uri() + " collection " + config.collection());
    MilvusClientV2 client = retrier.call("connect", () -> connect(config));
    try {
      String name = config.collection();
      boolean exists =
          retrier.call(
              "check collection",
              () ->
                  client.hasCollection(
                      HasCollectionReq.builder()
                          .databaseName(config.database())
                          .collectionName(name)
                          .build()));
      if (!exists) {
        List<String> names =
            new ArrayList<>(
                retrier.call(
                    "list collections", () -> client.listCollections().getCollectionNames()));
        names.sort(null);
        throw new CollectionNotFoundException(name, config.uri(), names);
      }
      var described =
          retrier.call(
              "describe collection",
              () ->
                  client.describeCollection(
                      DescribeCollectionReq.builder()
                          .databaseName(config.database())
                          .collectionName(name)
                          .build()));
      var vectorField = described.getCollectionSchema().getField(ImageFields.VECTOR);
      if (vectorField == null || vectorField.getDimension() == null) {
        throw new SchemaMismatchException(
            "Collection '"
                + name
                + "' has no vector field '"
                + ImageFields.VECTOR
                + "'; it was not created by this tool. Use another collection (--collection)");
      }
      int dimension = vectorField.getDimension();
      DescribeIndexResp.IndexDesc index = describeVectorIndex(client, retrier, config);
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
          new CollectionSpec(dimension, MetricType.fromSdk(index.getMetricType()), toIndex(index));
      ImageCollectionSchema.validate(name, described, spec);
      MilvusImageStore store = new MilvusImageStore(client, config, spec, options, retrier);
      store.loadCollection();
      return store;
    } catch (RuntimeException e) {
      client.close();
      throw e;
    }
  }

  private static DescribeIndexResp.IndexDesc describeVectorIndex(
      MilvusClientV2 client, Retrier retrier, MilvusConfig config) {
    List<String> indexes =
        retrier.call(
            "list indexes",
            () ->
                client.listIndexes(
                    ListIndexesReq.builder()
                        .databaseName(config.database())
                        .collectionName(config.collection())
                        .fieldName(ImageFields.VECTOR)
                        .build()));
    if (indexes.isEmpty()) {
      return null;
    }
    DescribeIndexResp described =
        retrier.call(
            "describe index",
            () ->
                client.describeIndex(
                    DescribeIndexReq.builder()
                        .databaseName(config.database())
                        .collectionName(config.collection())
                        .fieldName(ImageFields.VECTOR)
                        .indexName(indexes.get(0))
                        .build()));
    return described.getIndexDescriptions().isEmpty()
        ? null
        : described.getIndexDescriptions().get(0);
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

  /**
   * The collection's vector field and index as Milvus reports them now, including the index's build
   * progress.
   */
  public CollectionInfo info() {
    DescribeIndexResp.IndexDesc index = describeVectorIndex(client, retrier, config);
    if (index == null) {
      return new CollectionInfo(
          config.collection(), spec.dimension(), spec.metric(), "none", Map.of(), "unknown", 0, 0);
    }
    return new CollectionInfo(
        config.collection(),
        spec.dimension(),
        MetricType.fromSdk(index.getMetricType()),
        index.getIndexType() == null ? "unknown" : index.getIndexType().name(),
        index.getExtraParams() == null ? Map.of() : index.getExtraParams(),
        index.getIndexState() == null ? "unknown" : index.getIndexState().name(),
        index.getIndexedRows(),
        index.getTotalRows());
  }

  private static MilvusClientV2 connect(MilvusConfig config) {
    config.requireReadableFiles();
    ConnectConfig.ConnectConfigBuilder connect =
        ConnectConfig.builder()
            .uri(config.uri())
            .connectTimeoutMs(config.connectTimeout().toMillis())
            .rpcDeadlineMs(config.rpcTimeout().toMillis());
    if (config.token() != null) {
      connect.token(config.token());
    }
    if (config.database() != null) {
      connect.dbName(config.database());
    }
    // An https:// uri alone turns TLS on in the SDK, trusting the JVM's CAs. A private CA is
    // handed over as the SDK's "server PEM", which becomes the channel's only trust anchor. With a
    // PEM the SDK always overrides the TLS authority with serverName (null is rejected), so it
    // defaults to the uri's host, which is what the certificate is checked against anyway.
    if (config.tlsCaCert() != null) {
      connect.serverPemPath(config.tlsCaCert());
      connect.serverName(config.tlsServerName() != null ? config.tlsServerName() : config.host());
    } else if (config.tlsServerName() != null) {
      connect.serverName(config.tlsServerName());
    }
    // Never log the ConnectConfig: its toString() prints the token in clear text.
    MilvusClientV2 client = new MilvusClientV2(connect.build());
    // One retry loop, ours: the SDK's own (75 tries by default) would hide outages behind it.
    client.retryConfig(RetryConfig.builder().maxRetryTimes(1).retryOnRateLimit(false).build());
    return client;
  }

  private void prepareCollection() {
    String name = config.collection();
    boolean exists = hasCollection();
    if (!exists) {
      try {
        retrier.run(
            "create collection",
            () ->
                client.createCollection(
                    ImageCollectionSchema.createRequest(config.database(), name, spec)));
        LOG.info("Created collection {} ({}-d, {})", name, spec.dimension(), spec.metric());
      } catch (MilvusStoreException e) {
        // Another writer (a parallel subtask) may have created it first; then validate theirs.
        if (!hasCollection()) {
          throw e;
        }
        exists = true;
      }
    }
    if (exists) {
      var described =
          retrier.call(
              "describe collection",
              () ->
                  client.describeCollection(
                      DescribeCollectionReq.builder()
                          .databaseName(config.database())
                          .collectionName(name)
                          .build()));
      ImageCollectionSchema.validate(name, described, spec);
    }
    ensureVectorIndex();
    loadCollection();
  }

  private void loadCollection() {
    retrier.run(
        "load collection",
        () ->
            client.loadCollection(
                LoadCollectionReq.builder()
                    .databaseName(config.database())
                    .collectionName(config.collection())
                    .build()));
  }

  /**
   * Runs a read; if it fails because the collection is no longer loaded, loads it and tries once
   * more. Real Milvus keeps the load state across restarts, Milvus Lite forgets it; someone may
   * also have released the collection. Lite's "not loaded" status code is unknown to the SDK, which
   * then reports only "unknown enum value", so the load state is asked for explicitly.
   */
  private <T> T read(String operation, Supplier<T> call) {
    try {
      return retrier.call(operation, call);
    } catch (MilvusStoreException e) {
      if (isLoaded()) {
        throw e;
      }
      LOG.warn("Collection {} is not loaded; loading it again", config.collection());
      loadCollection();
      return retrier.call(operation, call);
    }
  }

  private boolean isLoaded() {
    return retrier.call(
        "get load state",
        () ->
            client.getLoadState(
                GetLoadStateReq.builder()
                    .databaseName(config.database())
                    .collectionName(config.collection())
                    .build()));
  }

  private boolean hasCollection() {
    return retrier.call(
        "check collection",
        () ->
            client.hasCollection(
                HasCollectionReq.builder()
                    .databaseName(config.database())
                    .collectionName(config.collection())
                    .build()));
  }

  private void ensureVectorIndex() {
    String name = config.collection();
    List<String> indexes =
        retrier.call(
            "list indexes",
            () ->
                client.listIndexes(
                    ListIndexesReq.builder()
                        .databaseName(config.database())
                        .collectionName(name)
                        .fieldName(ImageFields.VECTOR)
                        .build()));
    if (indexes.isEmpty()) {
      // sync(false): building over existing rows can take minutes; searches work meanwhile.
      retrier.run(
          "create index",
          () ->
              client.createIndex(
                  CreateIndexReq.builder()
                      .databaseName(config.database())
                      .collectionName(name)
                      .indexParams(List.of(ImageCollectionSchema.vectorIndex(spec)))
                      .sync(false)
                      .build()));
      LOG.info("Requested {} index on {}.{}", spec.index().type(), name, ImageFields.VECTOR);
      return;
    }
    DescribeIndexResp described =
        retrier.call(
            "describe index",
            () ->
                client.describeIndex(
                    DescribeIndexReq.builder()
                        .databaseName(config.database())
                        .collectionName(name)
                        .fieldName(ImageFields.VECTOR)
                        .indexName(indexes.get(0))
                        .build()));
    var index = described.getIndexDescriptions().get(0);
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

  /**
   * Inserts or replaces rows by id, in batches.
   *
   * @throws IllegalArgumentException if a vector does not have the collection's dimension
   * @throws MilvusStoreException with the server's reason if a batch is refused, or if transient
   *     errors outlast the retry policy; earlier batches stay written
   */
  public UpsertSummary upsert(List<ImageRecord> rows) {
    long start = System.nanoTime();
    for (ImageRecord row : rows) {
      requireDimension(row.vector(), row.filepath());
    }
    List<List<ImageRecord>> batches =
        Batches.split(rows, options.maxBatchRows(), options.maxBatchBytes());
    for (int i = 0; i < batches.size(); i++) {
      List<ImageRecord> batch = batches.get(i);
      List<JsonObject> data = batch.stream().map(MilvusImageStore::toJson).toList();
      String operation =
          "upsert batch " + (i + 1) + "/" + batches.size() + " (" + batch.size() + " rows)";
      UpsertResp response =
          retrier.call(
              operation,
              () ->
                  client.upsert(
                      UpsertReq.builder()
                          .databaseName(config.database())
                          .collectionName(config.collection())
                          .data(data)
                          .build()));
      if (response.getUpsertCnt() != batch.size()) {
        LOG.warn("{}: server reports {} rows upserted", operation, response.getUpsertCnt());
      }
    }
    return new UpsertSummary(
        rows.size(), batches.size(), Duration.ofNanos(System.nanoTime() - start));
  }

  /** Nearest rows for each query vector. */
  public SearchResults search(List<float[]> queries, SearchRequest request) {
    if (queries.isEmpty()) {
      return new SearchResults(List.of(), Duration.ZERO);
    }
    List<BaseVector> vectors = new ArrayList<>(queries.size());
    for (float[] query : queries) {
      requireDimension(query, "query vector");
      vectors.add(new FloatVec(query));
    }
    SearchReq.SearchReqBuilder search =
        SearchReq.builder()
            .databaseName(config.database())
            .collectionName(config.collection())
            .annsField(ImageFields.VECTOR)
            .metricType(spec.metric().toSdk())
            .topK(request.topK())
            .data(vectors)
            .outputFields(request.outputFields())
            .searchParams(searchParams(request))
            .consistencyLevel(consistency(options.searchConsistency()));
    if (request.filter() != null) {
      search.filter(request.filter());
    }
    long start = System.nanoTime();
    SearchResp response = read("search", () -> client.search(search.build()));
    Duration took = Duration.ofNanos(System.nanoTime() - start);
    List<List<SearchHit>> hits = new ArrayList<>();
    for (List<SearchResp.SearchResult> perQuery : response.getSearchResults()) {
      hits.add(
          perQuery.stream()
              .map(
                  r ->
                      new SearchHit(
                          String.valueOf(r.getId()), r.getScore(), nonNull(r.getEntity())))
              .toList());
    }
    return new SearchResults(hits, took);
  }

  private Map<String, Object> searchParams(SearchRequest request) {
    Map<String, Object> params = new HashMap<>();
    if (request.searchEffort() > 0) {
      switch (spec.index().type()) {
        case HNSW -> params.put("ef", Math.max(request.searchEffort(), request.topK()));
        case IVF_FLAT -> params.put("nprobe", request.searchEffort());
        case AUTOINDEX, FLAT -> {}
      }
    }
    return params;
  }

  /**
   * Rows in the collection, as of now: a STRONG {@code count(*)} query, which counts unflushed
   * writes, each upserted id once, and no deleted rows. Collection statistics would not: they count
   * flushed segments only, deleted rows included.
   */
  public long count() {
    QueryResp response =
        read(
            "count",
            () ->
                client.query(
                    QueryReq.builder()
                        .databaseName(config.database())
                        .collectionName(config.collection())
                        .filter("")
                        .outputFields(List.of(COUNT_FIELD))
                        .consistencyLevel(ConsistencyLevel.STRONG)
                        .build()));
    Object count = response.getQueryResults().get(0).getEntity().get(COUNT_FIELD);
    return ((Number) count).longValue();
  }

  /**
   * Rows matching a boolean expression ({@link FilterExpressions}); STRONG, like {@link #count()}.
   */
  public long count(String filter) {
    QueryResp response =
        read(
            "count where " + filter,
            () ->
                client.query(
                    QueryReq.builder()
                        .databaseName(config.database())
                        .collectionName(config.collection())
                        .filter(filter == null ? "" : filter)
                        .outputFields(List.of(COUNT_FIELD))
                        .consistencyLevel(ConsistencyLevel.STRONG)
                        .build()));
    Object count = response.getQueryResults().get(0).getEntity().get(COUNT_FIELD);
    return ((Number) count).longValue();
  }

  /**
   * Rows per distinct {@code model} value, most rows first. Milvus has no GROUP BY for queries, so
   * this asks for one row of a model not yet seen, counts that model, and repeats: two calls per
   * model, however large the collection.
   */
  public Map<String, Long> modelCounts() {
    Map<String, Long> counts = new java.util.LinkedHashMap<>();
    while (true) {
      String filter =
          counts.isEmpty()
              ? ""
              : ImageFields.MODEL
                  + " not in ["
                  + String.join(
                      ", ", counts.keySet().stream().map(FilterExpressions::quote).toList())
                  + "]";
      QueryResp next =
          read(
              "find next model",
              () ->
                  client.query(
                      QueryReq.builder()
                          .databaseName(config.database())
                          .collectionName(config.collection())
                          .filter(filter)
                          .outputFields(List.of(ImageFields.MODEL))
                          .limit(1)
                          .consistencyLevel(ConsistencyLevel.STRONG)
                          .build()));
      if (next.getQueryResults().isEmpty()) {
        break;
      }
      String model = (String) next.getQueryResults().get(0).getEntity().get(ImageFields.MODEL);
      counts.put(model, count(ImageFields.MODEL + " == " + FilterExpressions.quote(model)));
    }
    Map<String, Long> sorted = new java.util.LinkedHashMap<>();
    counts.entrySet().stream()
        .sorted(Map.Entry.<String, Long>comparingByValue().reversed())
        .forEach(e -> sorted.put(e.getKey(), e.getValue()));
    return sorted;
  }

  /**
   * Every row (vectors included), in pages of {@code batchSize}, through Milvus's query iterator:
   * memory stays bounded however large the collection. STRONG read as of the call.
   */
  public void scan(int batchSize, java.util.function.Consumer<List<ImageRecord>> consumer) {
    List<String> fields = new ArrayList<>(ImageFields.METADATA);
    fields.add(ImageFields.ID);
    fields.add(ImageFields.VECTOR);
    scanPages(batchSize, fields, MilvusImageStore::fromEntity, consumer);
  }

  /**
   * Pages of {@code fields} of every row, each row mapped by {@code mapper}, through Milvus's query
   * iterator; a failed page is retried, and the iterator is closed however the scan ends.
   */
  private <T> void scanPages(
      int batchSize,
      List<String> fields,
      java.util.function.Function<Map<String, Object>, T> mapper,
      java.util.function.Consumer<List<T>> consumer) {
    if (batchSize < 1 || batchSize > MAX_IDS_PER_CALL * 16) {
      throw new IllegalArgumentException("scan batch size is " + batchSize + "; use 1 to 16000");
    }
    var iterator =
        read(
            "open query iterator",
            () ->
                client.queryIterator(
                    io.milvus.v2.service.vector.request.QueryIteratorReq.builder()
                        .databaseName(config.database())
                        .collectionName(config.collection())
                        .outputFields(fields)
                        .batchSize(batchSize)
                        .consistencyLevel(ConsistencyLevel.STRONG)
                        .build()));
    try {
      while (true) {
        var page = retrier.call("scan next page", iterator::next);
        if (page.isEmpty()) {
          break;
        }
        List<T> rows = new ArrayList<>(page.size());
        for (var row : page) {
          rows.add(mapper.apply(row.getFieldValues()));
        }
        consumer.accept(rows);
      }
    } finally {
      iterator.close();
    }
  }

  /** The rows with these ids (vectors included); missing ids are skipped. STRONG read. */
  public List<ImageRecord> get(Collection<String> ids) {
    List<String> all = List.copyOf(ids);
    List<ImageRecord> found = new ArrayList<>();
    for (int from = 0; from < all.size(); from += MAX_IDS_PER_CALL) {
      List<Object> chunk =
          new ArrayList<>(all.subList(from, Math.min(all.size(), from + MAX_IDS_PER_CALL)));
      List<String> fields = new ArrayList<>(ImageFields.METADATA);
      fields.add(ImageFields.ID);
      fields.add(ImageFields.VECTOR);
      QueryResp response =
          read(
              "get " + chunk.size() + " ids",
              () ->
                  client.query(
                      QueryReq.builder()
                          .databaseName(config.database())
                          .collectionName(config.collection())
                          .ids(chunk)
                          .outputFields(fields)
                          .consistencyLevel(ConsistencyLevel.STRONG)
                          .build()));
      for (QueryResp.QueryResult result : response.getQueryResults()) {
        found.add(fromEntity(result.getEntity()));
      }
    }
    return found;
  }

  /** Deletes rows by id; returns the count the server reports. Unknown ids are ignored. */
  public long deleteByIds(Collection<String> ids) {
    List<String> all = List.copyOf(ids);
    long deleted = 0;
    for (int from = 0; from < all.size(); from += MAX_IDS_PER_CALL) {
      List<Object> chunk =
          new ArrayList<>(all.subList(from, Math.min(all.size(), from + MAX_IDS_PER_CALL)));
      deleted +=
          retrier.call(
              "delete " + chunk.size() + " ids",
              () ->
                  client
                      .delete(
                          DeleteReq.builder()
                              .databaseName(config.database())
                              .collectionName(config.collection())
                              .ids(chunk)
                              .build())
                      .getDeleteCnt());
    }
    return deleted;
  }

  /**
   * Deletes the rows matching a boolean expression; build it with {@link FilterExpressions} when it
   * holds user data. Returns the count the server reports.
   */
  public long deleteByFilter(String filter) {
    if (filter == null || filter.isBlank()) {
      throw new IllegalArgumentException(
          "delete filter is empty; Milvus needs an expression such as "
              + FilterExpressions.filepathEquals("/images/a.jpg"));
    }
    return retrier.call(
        "delete where " + filter,
        () ->
            client
                .delete(
                    DeleteReq.builder()
                        .databaseName(config.database())
                        .collectionName(config.collection())
                        .filter(filter)
                        .build())
                .getDeleteCnt());
  }

  /**
   * Deletes every row (every frame) of these files, by their normalized paths; returns the count
   * the server reports. Paths are escaped ({@link FilterExpressions}), so any file name is safe.
   */
  public long deleteByPaths(Collection<String> paths) {
    List<String> all = List.copyOf(paths);
    long deleted = 0;
    for (int from = 0; from < all.size(); from += MAX_PATHS_PER_DELETE) {
      deleted +=
          deleteByFilter(
              FilterExpressions.filepathIn(
                  all.subList(from, Math.min(all.size(), from + MAX_PATHS_PER_DELETE))));
    }
    return deleted;
  }

  /**
   * The {@code filepath} of every row, in pages of {@code batchSize}: a video's path comes once per
   * frame. Reads no vectors, so it is cheap enough to list a large collection. STRONG read as of
   * the call.
   */
  public void scanFilepaths(int batchSize, java.util.function.Consumer<List<String>> consumer) {
    scanPages(
        batchSize,
        List.of(ImageFields.FILEPATH),
        row -> (String) row.get(ImageFields.FILEPATH),
        consumer);
  }

  public MilvusConfig config() {
    return config;
  }

  public CollectionSpec spec() {
    return spec;
  }

  @Override
  public void close() {
    client.close();
  }

  private void requireDimension(float[] vector, String what) {
    if (vector.length != spec.dimension()) {
      throw new IllegalArgumentException(
          what
              + " has "
              + vector.length
              + " dimensions but collection '"
              + config.collection()
              + "' stores "
              + spec.dimension()
              + "-d vectors; the model and the collection's dimension must match");
    }
  }

  private static ConsistencyLevel consistency(StoreOptions.ReadConsistency level) {
    return switch (level) {
      case STRONG -> ConsistencyLevel.STRONG;
      case BOUNDED -> ConsistencyLevel.BOUNDED;
    };
  }

  private static Map<String, Object> nonNull(Map<String, Object> entity) {
    return entity == null ? Map.of() : entity;
  }

  private static JsonObject toJson(ImageRecord row) {
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
  private static ImageRecord fromEntity(Map<String, Object> entity) {
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
}
