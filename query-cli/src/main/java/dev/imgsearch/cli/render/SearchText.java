package dev.imgsearch.cli.render;

import dev.imgsearch.cli.search.SearchReport;
import dev.imgsearch.core.store.SearchHit;
import java.io.PrintWriter;
import java.util.List;
import java.util.Locale;

/** A search as text: per query its hits (rank, distance, path), then the timings. */
public final class SearchText {

  private SearchText() {}

  public static void print(SearchReport report, PrintWriter out) {
    out.println(
        "collection '"
            + report.collection()
            + "', distance = "
            + Formats.metricMeaning(report.spec().metric())
            + ", model "
            + report.modelId());
    int n = report.queries().size();
    for (int q = 0; q < n; q++) {
      out.println();
      out.println("query " + (q + 1) + "/" + n + ": " + report.queries().get(q).path());
      List<SearchHit> hits = report.results().hits().get(q);
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
            + Formats.millis(report.embedNanos())
            + " for "
            + n
            + (n == 1 ? " image" : " images")
            + " on "
            + report.provider()
            + "; search: "
            + Formats.millis(report.results().took().toNanos()));
  }
}
