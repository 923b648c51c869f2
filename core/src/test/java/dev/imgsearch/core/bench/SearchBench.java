package dev.imgsearch.core.bench;

import dev.imgsearch.core.config.MilvusConfig;
import dev.imgsearch.core.store.CollectionInfo;
import dev.imgsearch.core.store.CollectionSpec;
import dev.imgsearch.core.store.ImageIds;
import dev.imgsearch.core.store.ImageRecord;
import dev.imgsearch.core.store.MilvusImageStore;
import dev.imgsearch.core.store.SearchHit;
import dev.imgsearch.core.store.SearchRequest;
import dev.imgsearch.core.store.SearchResults;
import dev.imgsearch.core.store.StoreOptions;
import dev.imgsearch.core.store.VectorIndex;
import dev.imgsearch.core.testing.MilvusTestServer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.stream.Stream;

/**
 * Upsert rate and search latency of each Milvus kind the tests can start, on the same generated
 * 2048-d rows, through {@link MilvusImageStore} as the job's sink and the CLI use it; run by {@code
 * ./bench.sh --search}.
 *
 * <p>Per kind: a fresh server (scripts/milvus-lite.sh, its own data dir), one collection with the
 * job's default spec (COSINE, AUTOINDEX), rows upserted in calls of {@code --upsert-batch} rows
 * (the sink's default buffer, 256) until each size of {@code --rows} is reached; at each size,
 * top-10 searches with the CLI's default (BOUNDED) consistency, one query per call and 16 per call,
 * p50/p99 of the call's latency; then a top-10 check with STRONG reads of {@code --check-queries}
 * fixed queries against an exact brute-force top-10 computed here, whose ids also go to {@code
 * --ids-out} so runs of two kinds can be compared line by line.
 *
 * <p>Rows: unit vectors of Gaussian noise (seed = row number), so the exact top-10 can be
 * recomputed without keeping 800 MB of vectors. Queries: a row's vector plus as much noise again,
 * normalized (a near-duplicate search: rank 1 is that row, ranks 2-10 the tail).
 *
 * <pre>
 * SearchBench [--kinds lite,lite3] [--rows 10000,100000] [--queries 200] [--batch 16]
 *             [--upsert-batch 256] [--budget-s 120] [--check-queries 20] [--ids-out DIR]
 *             [--skip KIND:ROWS,...] [--index autoindex|flat|ivf_flat] [--index-wait-s 300]
 *             [--verbose true]
 * </pre>
 *
 * {@code --budget-s} bounds each latency series (single, batched) at each size: a series stops
 * after that many seconds with at least 3 calls, and the table says how many it made. {@code --skip
 * lite3:100000} leaves out one kind at one size (and every larger size of that kind).
 */
public final class SearchBench {

  private static final int DIM = CollectionSpec.RESNET50_DIMENSION;
  private static final int TOP_K = 10;
  private static boolean verbose;

  private SearchBench() {}

  record Series(int calls, double p50Ms, double p99Ms, double meanMs) {}

  record Row(
      String kind,
      int rows,
      double upsertRowsPerS,
      Series single,
      Series batched,
      int exactMatches,
      int checked,
      int top1Matches,
      double meanOverlap,
      long serverRssMb,
      long dataMb) {}

  public static void main(String[] args) throws Exception {
    Map<String, String> opts = parse(args);
    List<MilvusTestServer.Kind> kinds =
        Stream.of(opts.getOrDefault("kinds", "lite,lite3").split(","))
            .map(k -> kind(k.strip()))
            .toList();
    int[] sizes =
        Stream.of(opts.getOrDefault("rows", "10000,100000").split(","))
            .mapToInt(s -> Integer.parseInt(s.strip()))
            .sorted()
            .toArray();
    int queries = Integer.parseInt(opts.getOrDefault("queries", "200"));
    int batch = Integer.parseInt(opts.getOrDefault("batch", "16"));
    int upsertBatch = Integer.parseInt(opts.getOrDefault("upsert-batch", "256"));
    double budgetS = Double.parseDouble(opts.getOrDefault("budget-s", "120"));
    int checkQueries = Integer.parseInt(opts.getOrDefault("check-queries", "20"));
    verbose = Boolean.parseBoolean(opts.getOrDefault("verbose", "false"));
    Path idsOut = opts.containsKey("ids-out") ? Path.of(opts.get("ids-out")) : null;
    List<String> skip = List.of(opts.getOrDefault("skip", "").split(","));
    String indexName = opts.getOrDefault("index", "autoindex").toLowerCase(Locale.ROOT);
    VectorIndex index =
        switch (indexName) {
          case "autoindex" -> VectorIndex.autoIndex();
          case "flat" -> VectorIndex.flat();
          case "ivf_flat" -> VectorIndex.ivfFlat(128);
          default ->
              throw new IllegalArgumentException(
                  "--index " + indexName + ": use autoindex (the job's default), flat or ivf_flat");
        };
    double indexWaitS = Double.parseDouble(opts.getOrDefault("index-wait-s", "300"));

    List<Row> table = new ArrayList<>();
    for (MilvusTestServer.Kind kind : kinds) {
      System.out.printf("%n== %s%n", label(kind));
      try (MilvusTestServer server = MilvusTestServer.start(kind)) {
        MilvusConfig config =
            MilvusConfig.defaults()
                .withUri(server.uri())
                .withCollection("search_bench")
                .withTimeouts(Duration.ofSeconds(10), Duration.ofSeconds(600));
        CollectionSpec spec = CollectionSpec.forDimension(DIM).withIndex(index);
        StoreOptions strongOptions =
            StoreOptions.defaults().withSearchConsistency(StoreOptions.ReadConsistency.STRONG);
        try (MilvusImageStore store = MilvusImageStore.open(config, spec, StoreOptions.defaults());
            MilvusImageStore strong = MilvusImageStore.open(config, spec, strongOptions)) {
          int have = 0;
          for (int size : sizes) {
            if (skipped(skip, kind, size)) {
              System.out.printf("skipping %d rows (--skip)%n", size);
              break;
            }
            double rate = upsert(store, have, size, upsertBatch);
            have = size;
            awaitIndex(strong, indexWaitS);
            long count = strong.count();
            if (count != size) {
              throw new IllegalStateException(
                  label(kind) + " counts " + count + " rows after upserting " + size);
            }
            List<float[]> warm = List.of(query(0, size));
            store.search(warm, SearchRequest.topK(TOP_K)); // first search loads segments
            Series single = latency(store, size, 1, queries, budgetS);
            System.out.printf(
                "%d rows: 1 query/call: %d calls, p50 %.1f ms, p99 %.1f ms%n",
                size, single.calls(), single.p50Ms(), single.p99Ms());
            Series batched = latency(store, size, batch, Math.max(3, queries / 4), budgetS);
            System.out.printf(
                "%d rows: %d queries/call: %d calls, p50 %.1f ms, p99 %.1f ms%n",
                size, batch, batched.calls(), batched.p50Ms(), batched.p99Ms());
            int[] check = check(strong, size, checkQueries, kind, idsOut);
            Row row =
                new Row(
                    label(kind) + ", " + index.type(),
                    size,
                    rate,
                    single,
                    batched,
                    check[0],
                    check[1],
                    check[2],
                    check[3] / (double) check[1],
                    serverRssMb(server),
                    dirMb(server.dataDir()));
            table.add(row);
            System.out.printf(
                "%d rows: top-10 equal to the exact top-10 (same ids, same order) for %d of %d"
                    + " queries, the right rank 1 for %d, %.1f of the exact 10 found on average;"
                    + " server RSS %d MB, data %d MB%n",
                size,
                check[0],
                check[1],
                check[2],
                row.meanOverlap(),
                row.serverRssMb(),
                row.dataMb());
          }
        }
      }
    }
    printTable(table, batch, upsertBatch);
  }

  private static boolean skipped(List<String> skip, MilvusTestServer.Kind kind, int size) {
    for (String s : skip) {
      String[] parts = s.strip().split(":");
      if (parts.length == 2
          && kind(parts[0]) == kind
          && size >= Integer.parseInt(parts[1].strip())) {
        return true;
      }
    }
    return false;
  }

  /** Waits until the index covers every row the server reports, and prints what it reports. */
  private static void awaitIndex(MilvusImageStore store, double maxS) throws InterruptedException {
    long t0 = System.nanoTime();
    CollectionInfo info = store.info();
    while ((!"Finished".equalsIgnoreCase(info.indexState())
            || info.indexedRows() < info.totalRows())
        && System.nanoTime() - t0 < maxS * 1e9) {
      Thread.sleep(1000);
      info = store.info();
    }
    System.out.printf(
        "index %s %s, state %s, %d of %d rows indexed (waited %.1f s)%n",
        info.indexType(),
        info.indexParams(),
        info.indexState(),
        info.indexedRows(),
        info.totalRows(),
        (System.nanoTime() - t0) / 1e9);
  }

  /** Upserts rows [from, to) in calls of {@code batch} rows; returns rows/s over those calls. */
  private static double upsert(MilvusImageStore store, int from, int to, int batch) {
    long nanos = 0;
    long lastReport = System.nanoTime();
    for (int start = from; start < to; start += batch) {
      List<ImageRecord> rows = new ArrayList<>(batch);
      for (int i = start; i < Math.min(to, start + batch); i++) {
        rows.add(row(i));
      }
      long t0 = System.nanoTime();
      store.upsert(rows);
      nanos += System.nanoTime() - t0;
      if (System.nanoTime() - lastReport > 30_000_000_000L) {
        lastReport = System.nanoTime();
        System.out.printf(
            "  upserted %d of %d rows, %.0f rows/s%n",
            start + rows.size(), to, (start + rows.size() - from) / (nanos / 1e9));
      }
    }
    double rate = (to - from) / (nanos / 1e9);
    System.out.printf(
        "upserted rows %d-%d in calls of %d: %.0f rows/s (%.1f s in upsert calls)%n",
        from, to - 1, batch, rate, nanos / 1e9);
    return rate;
  }

  private static Series latency(
      MilvusImageStore store, int rows, int perCall, int calls, double budgetS) {
    List<Double> ms = new ArrayList<>();
    long deadline = System.nanoTime() + (long) (budgetS * 1e9);
    int q = 1000;
    for (int c = 0; c < calls; c++) {
      if (c >= 3 && System.nanoTime() > deadline) {
        break;
      }
      List<float[]> vectors = new ArrayList<>(perCall);
      for (int i = 0; i < perCall; i++) {
        vectors.add(query(q++, rows));
      }
      long t0 = System.nanoTime();
      SearchResults results = store.search(vectors, SearchRequest.topK(TOP_K));
      ms.add((System.nanoTime() - t0) / 1e6);
      if (results.hits().size() != perCall || results.hits().get(0).size() != TOP_K) {
        throw new IllegalStateException(
            "asked for " + perCall + " x top-" + TOP_K + ", got " + results.hits().size());
      }
    }
    double[] sorted = ms.stream().mapToDouble(Double::doubleValue).sorted().toArray();
    return new Series(
        sorted.length,
        percentile(sorted, 0.50),
        percentile(sorted, 0.99),
        Arrays.stream(sorted).average().orElse(0));
  }

  /** Nearest-rank percentile. */
  private static double percentile(double[] sorted, double p) {
    int rank = (int) Math.ceil(p * sorted.length);
    return sorted[Math.max(0, Math.min(sorted.length - 1, rank - 1))];
  }

  /**
   * Top-10 of fixed queries (STRONG reads) against the exact top-10; returns {matches, checked}.
   */
  private static int[] check(
      MilvusImageStore store, int rows, int queries, MilvusTestServer.Kind kind, Path idsOut)
      throws IOException {
    List<float[]> vectors = new ArrayList<>();
    for (int q = 0; q < queries; q++) {
      vectors.add(query(q, rows));
    }
    List<List<String>> got = new ArrayList<>();
    // 16 queries per call: on Milvus Lite 3 a call costs about as much as one query.
    for (int from = 0; from < vectors.size(); from += 16) {
      SearchResults r =
          store.search(
              vectors.subList(from, Math.min(vectors.size(), from + 16)),
              SearchRequest.topK(TOP_K));
      for (List<SearchHit> hits : r.hits()) {
        got.add(hits.stream().map(SearchHit::id).toList());
      }
    }
    List<List<Scored>> exact = exactTopK(vectors, rows);
    int matches = 0;
    int top1 = 0;
    int overlap = 0;
    List<String> lines = new ArrayList<>();
    for (int q = 0; q < queries; q++) {
      List<String> want = exact.get(q).stream().map(s -> id(s.row())).toList();
      lines.add(q + "\t" + String.join(",", got.get(q)));
      if (!got.get(q).isEmpty() && got.get(q).get(0).equals(want.get(0))) {
        top1++;
      }
      overlap += (int) got.get(q).stream().filter(want::contains).count();
      if (want.equals(got.get(q))) {
        matches++;
      } else if (verbose) {
        System.out.printf(
            "  query %d: %s returned %s%n           exact top-10 %s (scores %s)%n",
            q, label(kind), got.get(q), want, exact.get(q).stream().map(Scored::score).toList());
      }
    }
    if (idsOut != null) {
      Files.createDirectories(idsOut);
      Files.write(
          idsOut.resolve(kind.name().toLowerCase(Locale.ROOT) + "-" + rows + ".tsv"), lines);
      Files.write(
          idsOut.resolve("exact-" + rows + ".tsv"),
          java.util.stream.IntStream.range(0, queries)
              .mapToObj(
                  q ->
                      q
                          + "\t"
                          + String.join(",", exact.get(q).stream().map(s -> id(s.row())).toList()))
              .toList());
    }
    return new int[] {matches, queries, top1, overlap};
  }

  record Scored(int row, double score) {}

  /** The exact top-10 by cosine (all vectors are unit length: by dot product). */
  private static List<List<Scored>> exactTopK(List<float[]> queries, int rows) {
    List<List<Scored>> best = new ArrayList<>();
    for (int q = 0; q < queries.size(); q++) {
      best.add(new ArrayList<>());
    }
    for (int i = 0; i < rows; i++) {
      float[] v = vector(i);
      for (int q = 0; q < queries.size(); q++) {
        float[] query = queries.get(q);
        double dot = 0;
        for (int d = 0; d < DIM; d++) {
          dot += v[d] * query[d];
        }
        List<Scored> top = best.get(q);
        if (top.size() < TOP_K || dot > top.get(top.size() - 1).score()) {
          top.add(new Scored(i, dot));
          top.sort((a, b) -> Double.compare(b.score(), a.score()));
          if (top.size() > TOP_K) {
            top.remove(TOP_K);
          }
        }
      }
    }
    return best;
  }

  static float[] vector(long seed) {
    SplittableRandom random = new SplittableRandom(seed);
    float[] v = new float[DIM];
    for (int i = 0; i < DIM; i++) {
      v[i] = (float) random.nextGaussian();
    }
    return normalize(v);
  }

  /** Query q over the first {@code rows} rows: row (q * 7919) mod rows plus as much noise. */
  static float[] query(int q, int rows) {
    float[] base = vector((q * 7919L) % rows);
    float[] noise = vector(1_000_000_000L + q);
    float[] v = new float[DIM];
    for (int i = 0; i < DIM; i++) {
      v[i] = base[i] + noise[i];
    }
    return normalize(v);
  }

  private static float[] normalize(float[] v) {
    double norm = 0;
    for (float x : v) {
      norm += x * x;
    }
    float scale = (float) (1 / Math.sqrt(norm));
    for (int i = 0; i < v.length; i++) {
      v[i] *= scale;
    }
    return v;
  }

  private static String id(int row) {
    return ImageIds.ofNormalized(path(row), ImageRecord.STILL_IMAGE);
  }

  private static String path(int row) {
    return "/bench/search/img-" + row + ".jpg";
  }

  private static ImageRecord row(int i) {
    byte[] sha = new byte[32];
    new SplittableRandom(i).nextBytes(sha);
    return ImageRecord.of(
        Path.of(path(i)),
        ImageRecord.STILL_IMAGE,
        vector(i),
        HexFormat.of().formatHex(sha),
        100_000 + i,
        640,
        480,
        1_700_000_000_000L + i,
        "search-bench",
        1_800_000_000_000L);
  }

  /** Resident memory of the server's processes (the PID file's process and its descendants). */
  private static long serverRssMb(MilvusTestServer server) {
    try {
      long pid = Long.parseLong(Files.readString(server.dataDir().resolve("server.pid")).strip());
      long kb = 0;
      List<ProcessHandle> all = new ArrayList<>();
      ProcessHandle.of(pid).ifPresent(all::add);
      all.addAll(all.isEmpty() ? List.of() : all.get(0).descendants().toList());
      for (ProcessHandle p : all) {
        for (String line : Files.readAllLines(Path.of("/proc/" + p.pid() + "/status"))) {
          if (line.startsWith("VmRSS:")) {
            kb += Long.parseLong(line.replaceAll("[^0-9]", ""));
          }
        }
      }
      return kb / 1024;
    } catch (IOException | RuntimeException e) {
      return -1;
    }
  }

  private static long dirMb(Path dir) {
    try (Stream<Path> files = Files.walk(dir)) {
      return files
              .filter(Files::isRegularFile)
              .mapToLong(
                  p -> {
                    try {
                      return Files.size(p);
                    } catch (IOException e) {
                      throw new UncheckedIOException(e);
                    }
                  })
              .sum()
          / (1024 * 1024);
    } catch (IOException | UncheckedIOException e) {
      return -1;
    }
  }

  private static void printTable(List<Row> table, int batch, int upsertBatch) {
    System.out.printf(
        "%n| server | rows | upsert rows/s (calls of %d) | search p50 / p99 ms, 1 query per call"
            + " (calls) | search p50 / p99 ms, %d queries per call (calls) | top-10 = exact |"
            + " rank 1 right | exact top-10 found | server RSS MB | data MB |%n",
        upsertBatch, batch);
    System.out.println("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
    for (Row r : table) {
      System.out.printf(
          "| %s | %,d | %.0f | %.1f / %.1f (%d) | %.1f / %.1f (%d) | %d/%d | %d/%d | %.1f/10 | %d |"
              + " %d |%n",
          r.kind(),
          r.rows(),
          r.upsertRowsPerS(),
          r.single().p50Ms(),
          r.single().p99Ms(),
          r.single().calls(),
          r.batched().p50Ms(),
          r.batched().p99Ms(),
          r.batched().calls(),
          r.exactMatches(),
          r.checked(),
          r.top1Matches(),
          r.checked(),
          r.meanOverlap(),
          r.serverRssMb(),
          r.dataMb());
    }
  }

  private static String label(MilvusTestServer.Kind kind) {
    return switch (kind) {
      case LITE -> "Milvus Lite 2.5.1";
      case LITE3 -> "Milvus Lite 3.2.2";
      case EXTERNAL -> "external";
    };
  }

  private static MilvusTestServer.Kind kind(String name) {
    return switch (name.toLowerCase(Locale.ROOT)) {
      case "lite", "lite2.5", "2.5" -> MilvusTestServer.Kind.LITE;
      case "lite3", "3" -> MilvusTestServer.Kind.LITE3;
      default ->
          throw new IllegalArgumentException("unknown server kind '" + name + "'; use lite, lite3");
    };
  }

  private static Map<String, String> parse(String[] args) {
    Map<String, String> opts = new LinkedHashMap<>();
    for (int i = 0; i < args.length; i++) {
      if (!args[i].startsWith("--") || i + 1 >= args.length) {
        throw new IllegalArgumentException(
            "expected --name value pairs, got '" + args[i] + "' (see the class comment)");
      }
      opts.put(args[i].substring(2), args[++i]);
    }
    return opts;
  }
}
