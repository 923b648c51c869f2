package dev.imgsearch.cli.render;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import dev.imgsearch.cli.search.SearchReport;
import dev.imgsearch.core.store.SearchHit;
import java.util.List;

/** A search as one JSON document: per query its hits with every stored field, and timings. */
public final class SearchJson {

  private SearchJson() {}

  public static JsonObject of(SearchReport report) {
    JsonObject doc = new JsonObject();
    JsonArray queryArray = new JsonArray();
    for (int q = 0; q < report.queries().size(); q++) {
      JsonObject query = new JsonObject();
      query.addProperty("image", report.queries().get(q).path().toString());
      JsonArray hitArray = new JsonArray();
      List<SearchHit> hits = report.results().hits().get(q);
      for (int i = 0; i < hits.size(); i++) {
        hitArray.add(hit(i + 1, hits.get(i)));
      }
      query.add("hits", hitArray);
      queryArray.add(query);
    }
    doc.add("queries", queryArray);
    doc.addProperty("metric", report.spec().metric().name());
    doc.addProperty("higherIsCloser", report.spec().metric().higherIsCloser());
    JsonObject timings = new JsonObject();
    timings.addProperty("embedMs", Json.millis(report.embedNanos()));
    timings.addProperty("searchMs", Json.millis(report.results().took().toNanos()));
    doc.add("timings", timings);
    doc.addProperty("model", report.modelId());
    doc.addProperty("collection", report.collection());
    return doc;
  }

  private static JsonObject hit(int rank, SearchHit hit) {
    JsonObject h = new JsonObject();
    h.addProperty("rank", rank);
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
    return h;
  }
}
