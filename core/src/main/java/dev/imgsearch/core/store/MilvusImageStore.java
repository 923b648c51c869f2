package dev.imgsearch.core.store;

import com.google.gson.JsonObject;
import dev.imgsearch.core.config.MilvusConfig;
import io.milvus.v2.common.ConsistencyLevel;
import io.milvus.v2.service.index.response.DescribeIndexResp;
import io.milvus.v2.service.vector.request.DeleteReq;
import io.milvus.v2.service.vector.request.QueryIteratorReq;
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
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The rows of the image collection: upsert, search, count, get, scan and delete.
 *
 * <p>Three ways in: {@link #open} prepares the collection for a {@link CollectionSpec} (creates it
 * or validates it; {@link CollectionBootstrap}), {@link #openExisting} reads the spec of an
 * existing one (for readers such as the CLI), {@link #attach} only connects (for writers whose
 * collection was prepared when the job was planned). Writes are split into batches ({@link
 * Batches}) and every call retries transient errors under the {@link RetryPolicy}; upserts and
 * deletes are idempotent, so a retried call cannot duplicate rows. Writes are not flushed: Milvus
 * seals segments by itself, and STRONG reads see unflushed data.
 *
 * <p>Work-arounds, and what needs them: reads that fail because the collection is not loaded load
 * it and try once more (real Milvus keeps the load state across restarts, but the collection may
 * have been released; Milvus Lite 3 forgets it at every restart and reports it only as an "unknown
 * enum value"); indexes are created without waiting ({@code sync(false)}), because the build over
 * existing rows can take minutes on any server; the metric is always explicit, because Milvus Lite
 * 3 infers none.
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

  private final MilvusConnection connection;
  private final CollectionCatalog catalog;
  private final CollectionSpec spec;
  private final StoreOptions options;

  private MilvusImageStore(MilvusConnection connection, CollectionSpec spec, StoreOptions options) {
    this.connection = connection;
    this.catalog = new CollectionCatalog(connection);
    this.spec = spec;
    this.options = options;
  }

  public static MilvusImageStore open(MilvusConfig config, CollectionSpec spec) {
    return open(config, spec, StoreOptions.defaults());
  }

  /**
   * Connects and prepares the collection: creates it with its vector index when missing, validates
   * it otherwise, and loads it for search.
   *
   * @throws SchemaMismatchException if the collection exists with another dimension, metric or
   *     fields
   * @throws MilvusStoreException if Milvus cannot be reached or refuses a call
   */
  public static MilvusImageStore open(
      MilvusConfig config, CollectionSpec spec, StoreOptions options) {
    return connected(
        config, options, connection -> new CollectionBootstrap(connection).ensure(spec), spec);
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
    MilvusConnection connection = MilvusConnection.open(config, options.retry());
    try {
      CollectionSpec spec = new CollectionBootstrap(connection).describeExisting();
      return new MilvusImageStore(connection, spec, options);
    } catch (RuntimeException e) {
      connection.close();
      throw e;
    }
  }

  /**
   * Connects to a collection that {@link #open} prepared for {@code spec} (when the job was
   * planned), checking only that it still exists: what every parallel writer does at start-up.
   *
   * @throws CollectionNotFoundException if it was dropped since (a new submission recreates it)
   */
  public static MilvusImageStore attach(
      MilvusConfig config, CollectionSpec spec, StoreOptions options) {
    return connected(
        config,
        options,
        connection -> {
          CollectionCatalog catalog = new CollectionCatalog(connection);
          if (!catalog.exists()) {
            throw new CollectionNotFoundException(
                config.collection(), config.uri(), catalog.names());
          }
        },
        spec);
  }

  private static MilvusImageStore connected(
      MilvusConfig config,
      StoreOptions options,
      Consumer<MilvusConnection> prepare,
      CollectionSpec spec) {
    MilvusConnection connection = MilvusConnection.open(config, options.retry());
    try {
      prepare.accept(connection);
      return new MilvusImageStore(connection, spec, options);
    } catch (RuntimeException e) {
      connection.close();
      throw e;
    }
  }

  /**
   * The collection's vector field and index as Milvus reports them now, including the index's build
   * progress.
   */
  public CollectionInfo info() {
    DescribeIndexResp.IndexDesc index = catalog.vectorIndex();
    String name = connection.collection();
    if (index == null) {
      return new CollectionInfo(
          name, spec.dimension(), spec.metric(), "none", Map.of(), "unknown", 0, 0);
    }
    return new CollectionInfo(
        name,
        spec.dimension(),
        MetricType.fromSdk(index.getMetricType()),
        index.getIndexType() == null ? "unknown" : index.getIndexType().name(),
        index.getExtraParams() == null ? Map.of() : index.getExtraParams(),
        index.getIndexState() == null ? "unknown" : index.getIndexState().name(),
        index.getIndexedRows(),
        index.getTotalRows());
  }

  /**
   * Runs a read; if it fails because the collection is no longer loaded, loads it and tries once
   * more (see the class comment for who needs this).
   */
  private <T> T read(String operation, Function<io.milvus.v2.client.MilvusClientV2, T> call) {
    try {
      return connection.call(operation, call);
    } catch (MilvusStoreException e) {
      if (catalog.isLoaded()) {
        throw e;
      }
      LOG.warn("Collection {} is not loaded; loading it again", connection.collection());
      catalog.load();
      return connection.call(operation, call);
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
      List<JsonObject> data = batch.stream().map(ImageRowCodec::toJson).toList();
      String operation =
          "upsert batch " + (i + 1) + "/" + batches.size() + " (" + batch.size() + " rows)";
      UpsertResp response =
          connection.call(
              operation,
              client ->
                  client.upsert(
                      UpsertReq.builder()
                          .databaseName(connection.database())
                          .collectionName(connection.collection())
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
            .databaseName(connection.database())
            .collectionName(connection.collection())
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
    SearchResp response = read("search", client -> client.search(search.build()));
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
    return count(null);
  }

  /**
   * Rows matching a boolean expression ({@link FilterExpressions}); STRONG, like {@link #count()}.
   */
  public long count(String filter) {
    QueryResp response =
        read(
            filter == null ? "count" : "count where " + filter,
            client ->
                client.query(
                    QueryReq.builder()
                        .databaseName(connection.database())
                        .collectionName(connection.collection())
                        .filter(filter == null ? "" : filter)
                        .outputFields(List.of(COUNT_FIELD))
                        .consistencyLevel(ConsistencyLevel.STRONG)
                        .build()));
    return ((Number) response.getQueryResults().get(0).getEntity().get(COUNT_FIELD)).longValue();
  }

  /**
   * Rows per distinct {@code model} value, most rows first. Milvus has no GROUP BY for queries, so
   * this asks for one row of a model not yet seen, counts that model, and repeats: two calls per
   * model, however large the collection.
   */
  public Map<String, Long> modelCounts() {
    Map<String, Long> counts = new LinkedHashMap<>();
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
              client ->
                  client.query(
                      QueryReq.builder()
                          .databaseName(connection.database())
                          .collectionName(connection.collection())
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
    Map<String, Long> sorted = new LinkedHashMap<>();
    counts.entrySet().stream()
        .sorted(Map.Entry.<String, Long>comparingByValue().reversed())
        .forEach(e -> sorted.put(e.getKey(), e.getValue()));
    return sorted;
  }

  /**
   * Every row (vectors included), in pages of {@code batchSize}, through Milvus's query iterator:
   * memory stays bounded however large the collection. STRONG read as of the call.
   */
  public void scan(int batchSize, Consumer<List<ImageRecord>> consumer) {
    scanPages(batchSize, ImageRowCodec.ALL_FIELDS, ImageRowCodec::fromEntity, consumer);
  }

  /**
   * The {@code filepath} of every row, in pages of {@code batchSize}: a video's path comes once per
   * frame. Reads no vectors, so it is cheap enough to list a large collection. STRONG read as of
   * the call.
   */
  public void scanFilepaths(int batchSize, Consumer<List<String>> consumer) {
    scanPages(
        batchSize,
        List.of(ImageFields.FILEPATH),
        row -> (String) row.get(ImageFields.FILEPATH),
        consumer);
  }

  /**
   * Pages of {@code fields} of every row, each row mapped by {@code mapper}, through Milvus's query
   * iterator; a failed page is retried, and the iterator is closed however the scan ends.
   */
  private <T> void scanPages(
      int batchSize,
      List<String> fields,
      Function<Map<String, Object>, T> mapper,
      Consumer<List<T>> consumer) {
    if (batchSize < 1 || batchSize > MAX_IDS_PER_CALL * 16) {
      throw new IllegalArgumentException("scan batch size is " + batchSize + "; use 1 to 16000");
    }
    var iterator =
        read(
            "open query iterator",
            client ->
                client.queryIterator(
                    QueryIteratorReq.builder()
                        .databaseName(connection.database())
                        .collectionName(connection.collection())
                        .outputFields(fields)
                        .batchSize(batchSize)
                        .consistencyLevel(ConsistencyLevel.STRONG)
                        .build()));
    try {
      while (true) {
        var page = connection.call("scan next page", client -> iterator.next());
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
    List<ImageRecord> found = new ArrayList<>();
    forChunks(
        ids,
        MAX_IDS_PER_CALL,
        chunk -> {
          QueryResp response =
              read(
                  "get " + chunk.size() + " ids",
                  client ->
                      client.query(
                          QueryReq.builder()
                              .databaseName(connection.database())
                              .collectionName(connection.collection())
                              .ids(new ArrayList<>(chunk))
                              .outputFields(ImageRowCodec.ALL_FIELDS)
                              .consistencyLevel(ConsistencyLevel.STRONG)
                              .build()));
          for (QueryResp.QueryResult result : response.getQueryResults()) {
            found.add(ImageRowCodec.fromEntity(result.getEntity()));
          }
        });
    return found;
  }

  /** Deletes rows by id; returns the count the server reports. Unknown ids are ignored. */
  public long deleteByIds(Collection<String> ids) {
    long[] deleted = {0};
    forChunks(
        ids,
        MAX_IDS_PER_CALL,
        chunk ->
            deleted[0] +=
                delete(
                    "delete " + chunk.size() + " ids",
                    () -> DeleteReq.builder().ids(new ArrayList<>(chunk))));
    return deleted[0];
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
    return delete("delete where " + filter, () -> DeleteReq.builder().filter(filter));
  }

  /**
   * Deletes every row (every frame) of these files, by their normalized paths; returns the count
   * the server reports. Paths are escaped ({@link FilterExpressions}), so any file name is safe; a
   * path with a line break is deleted by the ids of its rows ({@link #deleteVerified}).
   */
  public long deleteByPaths(Collection<String> paths) {
    List<String> plain = new ArrayList<>();
    long[] deleted = {0};
    for (String path : paths) {
      if (FilterExpressions.hasLineBreak(path)) {
        deleted[0] += deleteVerified(FilterExpressions.filepathEquals(path), path, null);
      } else {
        plain.add(path);
      }
    }
    forChunks(
        plain,
        MAX_PATHS_PER_DELETE,
        chunk -> deleted[0] += deleteByFilter(FilterExpressions.filepathIn(chunk)));
    return deleted[0];
  }

  /**
   * Deletes the rows of {@code path} written from another version of the file than the one modified
   * at {@code mtimeMs} ({@link FilterExpressions#otherVersionsOf}); by id for a path with a line
   * break, as in {@link #deleteByPaths}.
   */
  public long deleteOtherVersions(String path, long mtimeMs) {
    String filter = FilterExpressions.otherVersionsOf(path, mtimeMs);
    return FilterExpressions.hasLineBreak(path)
        ? deleteVerified(filter, path, mtimeMs)
        : deleteByFilter(filter);
  }

  /**
   * Deletes by id the rows of {@code path} (and not of version {@code keepMtimeMs}, when given):
   * the still image's row, found by its id, and the rows {@code filter} selects whose path really
   * is {@code path}. Milvus Lite 2.5.1 reads the escapes of a line break as letters ({@code "a\nb"}
   * selects {@code anb}), so its filter selects other files' rows, which are left alone; a video's
   * frames of such a path then stay (logged), and no other file loses a row.
   */
  private long deleteVerified(String filter, String path, Long keepMtimeMs) {
    Map<String, ImageRecord> candidates = new LinkedHashMap<>();
    for (ImageRecord row : get(List.of(ImageIds.ofNormalized(path, ImageRecord.STILL_IMAGE)))) {
      candidates.put(row.id(), row);
    }
    QueryResp selected =
        read(
            "find rows where " + filter,
            client ->
                client.query(
                    QueryReq.builder()
                        .databaseName(connection.database())
                        .collectionName(connection.collection())
                        .filter(filter)
                        .outputFields(ImageRowCodec.ALL_FIELDS)
                        .limit(MAX_IDS_PER_CALL * 16L)
                        .consistencyLevel(ConsistencyLevel.STRONG)
                        .build()));
    int others = 0;
    for (QueryResp.QueryResult result : selected.getQueryResults()) {
      ImageRecord row = ImageRowCodec.fromEntity(result.getEntity());
      if (row.filepath().equals(path)) {
        candidates.put(row.id(), row);
      } else {
        others++;
      }
    }
    if (others > 0) {
      LOG.warn(
          "Milvus at {} read the filter {} as another path ({} rows of other files matched and"
              + " were left alone); frames of this path found by the filter only stay. Milvus Lite"
              + " 2.5.1 does this for paths with line breaks; Milvus standalone does not",
          connection.config().uri(),
          filter,
          others);
    }
    List<String> ids =
        candidates.values().stream()
            .filter(r -> keepMtimeMs == null || r.mtimeMs() != keepMtimeMs)
            .map(ImageRecord::id)
            .toList();
    return ids.isEmpty() ? 0 : deleteByIds(ids);
  }

  private long delete(String operation, Supplier<DeleteReq.DeleteReqBuilder> request) {
    return connection.call(
        operation,
        client ->
            client
                .delete(
                    request
                        .get()
                        .databaseName(connection.database())
                        .collectionName(connection.collection())
                        .build())
                .getDeleteCnt());
  }

  private static <T> void forChunks(Collection<T> items, int size, Consumer<List<T>> action) {
    List<T> all = List.copyOf(items);
    for (int from = 0; from < all.size(); from += size) {
      action.accept(all.subList(from, Math.min(all.size(), from + size)));
    }
  }

  public MilvusConfig config() {
    return connection.config();
  }

  public CollectionSpec spec() {
    return spec;
  }

  @Override
  public void close() {
    connection.close();
  }

  private void requireDimension(float[] vector, String what) {
    if (vector.length != spec.dimension()) {
      throw new IllegalArgumentException(
          what
              + " has "
              + vector.length
              + " dimensions but collection '"
              + connection.collection()
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
}
