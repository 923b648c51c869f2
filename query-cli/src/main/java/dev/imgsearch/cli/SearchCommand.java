package dev.imgsearch.cli;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import dev.imgsearch.cli.mixin.MilvusMixin;
import dev.imgsearch.cli.mixin.ModelMixin;
import dev.imgsearch.cli.mixin.StacktraceOption;
import dev.imgsearch.cli.render.HtmlReport;
import dev.imgsearch.cli.render.ResultGrid;
import dev.imgsearch.cli.render.ResultView;
import dev.imgsearch.cli.render.Thumbnails;
import dev.imgsearch.core.config.ModelConfig;
import dev.imgsearch.core.embed.OnnxEmbedder;
import dev.imgsearch.core.image.DecoderOptions;
import dev.imgsearch.core.image.ImageDecoder;
import dev.imgsearch.core.store.CollectionSpec;
import dev.imgsearch.core.store.IndexType;
import dev.imgsearch.core.store.MilvusImageStore;
import dev.imgsearch.core.store.MilvusUnavailableException;
import dev.imgsearch.core.store.SearchHit;
import dev.imgsearch.core.store.SearchRequest;
import dev.imgsearch.core.store.SearchResults;
import dev.imgsearch.options.ExitCodes;
import dev.imgsearch.options.UserError;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code imgsearch search IMAGE...}: the nearest stored images of each query image. */
@Command(
    name = "search",
    mixinStandardHelpOptions = true,
    sortOptions = false,
    usageHelpAutoWidth = true,
    description = {
      "Embeds the query images (one batch) and prints each one's nearest images in the collection,"
          + " closest first.",
      "Use --model with the encoder the collection was ingested with."
    })
public class SearchCommand implements Callable<Integer> {

  @Spec CommandSpec spec;

  @Parameters(arity = "1..*", paramLabel = "IMAGE", description = "Query images.")
  List<Path> images;

  @Option(
      names = {"-k", "--top-k"},
      defaultValue = "3",
      paramLabel = "K",
      description = "Hits per query image. Default: ${DEFAULT-VALUE}.")
  int k;

  @Option(
      names = "--filter",
      paramLabel = "EXPR",
      description =
          "Milvus boolean expression over the stored fields, e.g. 'frame_ms == -1' or"
              + " 'filepath like \"/photos/2024/%%\"'.")
  String filter;

  @ArgGroup(exclusive = true)
  Effort effort;

  static class Effort {
    @Option(
        names = "--nprobe",
        paramLabel = "N",
        description = "IVF_FLAT: clusters to search (recall vs. speed).")
    Integer nprobe;

    @Option(
        names = "--ef",
        paramLabel = "N",
        description = "HNSW: candidate list size, at least K (recall vs. speed).")
    Integer ef;
  }

  @Option(names = "--json", description = "Print one JSON document instead of text.")
  boolean json;

  @Option(
      names = "--grid",
      paramLabel = "FILE.png",
      description = "Also draw the results as a PNG: one row per query, the query then its hits.")
  Path grid;

  @Option(
      names = "--html",
      paramLabel = "FILE.html",
      description = "Also write the results as a self-contained HTML page.")
  Path html;

  @Mixin MilvusMixin milvus;

  @Mixin ModelMixin model;

  @Mixin StacktraceOption stacktrace;

  @Override
  public Integer call() throws IOException {
    if (k < 1 || k > SearchRequest.MAX_TOP_K) {
      throw new UserError(
          ExitCodes.BAD_INPUT, "-k is " + k + "; use 1 to " + SearchRequest.MAX_TOP_K);
    }
    int searchEffort = searchEffort();
    ModelConfig modelConfig = model.toConfig();
    List<QueryImages.Decoded> decoded =
        QueryImages.decode(images, new ImageDecoder(DecoderOptions.defaults()));

    try (MilvusImageStore store = milvus.openStore();
        OnnxEmbedder embedder = OnnxEmbedder.open(modelConfig)) {
      CollectionSpec collection = store.spec();
      requireSameDimension(embedder, store);
      checkEffort(collection);
      QueryImages.Embedded embedded = QueryImages.embed(embedder, decoded);
      SearchRequest request =
          SearchRequest.topK(k).withFilter(filter).withSearchEffort(searchEffort);
      SearchResults results;
      try {
        results = store.search(List.of(embedded.vectors()), request);
      } catch (MilvusUnavailableException e) {
        throw UserError.milvusUnreachable(store.config().uri(), e);
      } catch (RuntimeException e) {
        if (filter != null) {
          throw new UserError(
              ExitCodes.FAILURE,
              "search with --filter '"
                  + filter
                  + "' failed; check the expression (fields: filepath, model, frame_ms, width,"
                  + " height, size_bytes, mtime_ms, content_sha256): "
                  + e.getMessage(),
              e);
        }
        throw e;
      }
      Report report =
          new Report(
              decoded,
              results,
              embedded.nanos(),
              store,
              embedder.model().id(),
              embedder.provider());
      PrintWriter out = spec.commandLine().getOut();
      PrintWriter notes = json ? spec.commandLine().getErr() : out;
      if (json) {
        out.println(Json.GSON.toJson(report.toJson()));
      } else {
        report.printText(out);
      }
      if (grid != null || html != null) {
        ResultView view = report.toView(new Thumbnails(240, 180));
        if (grid != null) {
          ResultGrid.write(view, grid);
          var layout = view.layout();
          notes.println("wrote " + grid + " (" + layout.width() + "x" + layout.height() + ")");
        }
        if (html != null) {
          HtmlReport.write(view, html);
          notes.println("wrote " + html);
        }
      }
      out.flush();
      notes.flush();
      return ExitCodes.OK;
    }
  }

  private int searchEffort() {
    if (effort == null) {
      return 0;
    }
    int value = effort.nprobe != null ? effort.nprobe : effort.ef;
    if (value < 1) {
      throw new UserError(
          ExitCodes.BAD_INPUT,
          (effort.nprobe != null ? "--nprobe" : "--ef") + " is " + value + "; use 1 or more");
    }
    return value;
  }

  private void checkEffort(CollectionSpec collection) {
    if (effort == null) {
      return;
    }
    IndexType type = collection.index().type();
    if (effort.ef != null && type == IndexType.IVF_FLAT) {
      throw new UserError(
          ExitCodes.BAD_INPUT,
          "--ef tunes HNSW indexes, but collection '"
              + milvus.toConfig().collection()
              + "' has an IVF_FLAT index: use --nprobe");
    }
    if (effort.nprobe != null && type == IndexType.HNSW) {
      throw new UserError(
          ExitCodes.BAD_INPUT,
          "--nprobe tunes IVF_FLAT indexes, but collection '"
              + milvus.toConfig().collection()
              + "' has an HNSW index: use --ef");
    }
    if (type == IndexType.AUTOINDEX || type == IndexType.FLAT) {
      spec.commandLine()
          .getErr()
          .println(
              "warning: "
                  + (effort.ef != null ? "--ef" : "--nprobe")
                  + " has no effect on a "
                  + type
                  + " index");
    }
  }

  static void requireSameDimension(OnnxEmbedder embedder, MilvusImageStore store) {
    int modelDimension = embedder.dimension();
    int stored = store.spec().dimension();
    if (modelDimension != stored) {
      throw new UserError(
          ExitCodes.FAILURE,
          "model "
              + embedder.model().id()
              + " produces "
              + modelDimension
              + "-d vectors but collection '"
              + store.config().collection()
              + "' stores "
              + stored
              + "-d vectors; use the model the collection was ingested with ('imgsearch stats'"
              + " lists it) or another --collection");
    }
  }

  /** The results of one search, in every output form. */
  record Report(
      List<QueryImages.Decoded> queries,
      SearchResults results,
      long embedNanos,
      MilvusImageStore store,
      String modelId,
      String provider) {

    void printText(PrintWriter out) {
      CollectionSpec collection = store.spec();
      out.println(
          "collection '"
              + store.config().collection()
              + "', distance = "
              + Formats.metricMeaning(collection.metric())
              + ", model "
              + modelId);
      for (int q = 0; q < queries.size(); q++) {
        out.println();
        out.println("query " + (q + 1) + "/" + queries.size() + ": " + queries.get(q).path());
        List<SearchHit> hits = results.hits().get(q);
        if (hits.isEmpty()) {
          out.println("  (no hits)");
          continue;
        }
        out.println(String.format(Locale.ROOT, "  %4s  %-10s  %s", "rank", "distance", "path"));
        for (int i = 0; i < hits.size(); i++) {
          SearchHit hit = hits.get(i);
          String frame = hit.frameMs() >= 0 ? "  @ " + Formats.frameTime(hit.frameMs()) : "";
          out.println(
              String.format(
                  Locale.ROOT,
                  "  %4d  %-10s  %s%s",
                  i + 1,
                  Formats.distance(hit.distance()),
                  hit.filepath(),
                  frame));
        }
      }
      out.println();
      out.println(
          "embedding: "
              + Formats.millis(embedNanos)
              + " for "
              + queries.size()
              + (queries.size() == 1 ? " image" : " images")
              + " on "
              + provider
              + "; search: "
              + Formats.millis(results.took().toNanos()));
    }

    JsonObject toJson() {
      JsonObject doc = new JsonObject();
      JsonArray queryArray = new JsonArray();
      for (int q = 0; q < queries.size(); q++) {
        JsonObject query = new JsonObject();
        query.addProperty("image", queries.get(q).path().toString());
        JsonArray hitArray = new JsonArray();
        List<SearchHit> hits = results.hits().get(q);
        for (int i = 0; i < hits.size(); i++) {
          SearchHit hit = hits.get(i);
          JsonObject h = new JsonObject();
          h.addProperty("rank", i + 1);
          h.addProperty("id", hit.id());
          h.addProperty("path", hit.filepath());
          h.addProperty("distance", hit.distance());
          h.addProperty("frameMs", hit.frameMs());
          if (hit.frameMs() >= 0) {
            h.addProperty("frameTime", Formats.frameTime(hit.frameMs()));
          }
          h.addProperty("width", hit.width());
          h.addProperty("height", hit.height());
          h.addProperty("sizeBytes", hit.sizeBytes());
          h.addProperty("contentSha256", hit.contentSha256());
          h.addProperty("mtimeMs", hit.mtimeMs());
          h.addProperty("model", hit.model());
          h.addProperty("ingestedAtMs", hit.ingestedAtMs());
          hitArray.add(h);
        }
        query.add("hits", hitArray);
        queryArray.add(query);
      }
      doc.add("queries", queryArray);
      doc.addProperty("metric", store.spec().metric().name());
      doc.addProperty("higherIsCloser", store.spec().metric().higherIsCloser());
      JsonObject timings = new JsonObject();
      timings.addProperty("embedMs", Json.millis(embedNanos));
      timings.addProperty("searchMs", Json.millis(results.took().toNanos()));
      doc.add("timings", timings);
      doc.addProperty("model", modelId);
      doc.addProperty("collection", store.config().collection());
      return doc;
    }

    ResultView toView(Thumbnails thumbnails) {
      List<ResultView.Row> rows = new ArrayList<>();
      for (int q = 0; q < queries.size(); q++) {
        QueryImages.Decoded query = queries.get(q);
        ResultView.Cell queryCell =
            new ResultView.Cell(
                Thumbnails.Thumb.of(thumbnails.of(query.image())),
                "query",
                Formats.fileName(query.path().toString()),
                query.image().width() + " \u00d7 " + query.image().height(),
                query.path().toString());
        List<ResultView.Cell> hitCells = new ArrayList<>();
        List<SearchHit> hits = results.hits().get(q);
        for (int i = 0; i < hits.size(); i++) {
          SearchHit hit = hits.get(i);
          String detail =
              hit.frameMs() >= 0
                  ? "frame " + Formats.frameTime(hit.frameMs())
                  : hit.width() + " \u00d7 " + hit.height();
          hitCells.add(
              new ResultView.Cell(
                  thumbnails.load(hit.filepath(), hit.frameMs()),
                  "#" + (i + 1) + "   " + Formats.distance(hit.distance()),
                  Formats.fileName(hit.filepath()),
                  detail,
                  hit.filepath()));
        }
        rows.add(new ResultView.Row(queryCell, hitCells));
      }
      int n = queries.size();
      String title =
          "Top "
              + results.hits().stream().mapToInt(List::size).max().orElse(0)
              + " in '"
              + store.config().collection()
              + "' for "
              + n
              + (n == 1 ? " query" : " queries")
              + " \u2014 search "
              + Formats.millis(results.took().toNanos());
      String subtitle =
          // Least important last: a narrow grid cuts the end of the line.
          "distance: "
              + Formats.metricMeaning(store.spec().metric())
              + "  \u00b7  embedding "
              + Formats.millis(embedNanos)
              + " on "
              + provider
              + "  \u00b7  model "
              + modelId;
      return new ResultView(title, subtitle, rows);
    }
  }
}
