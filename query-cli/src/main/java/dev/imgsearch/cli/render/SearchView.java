package dev.imgsearch.cli.render;

import dev.imgsearch.cli.search.QueryImages;
import dev.imgsearch.cli.search.SearchReport;
import dev.imgsearch.core.store.SearchHit;
import java.util.ArrayList;
import java.util.List;

/** A search as a {@link ResultView}: what the PNG grid and the HTML page draw. */
public final class SearchView {

  private SearchView() {}

  public static ResultView of(SearchReport report, Thumbnails thumbnails) {
    List<ResultView.Row> rows = new ArrayList<>();
    for (int q = 0; q < report.queries().size(); q++) {
      QueryImages.Decoded query = report.queries().get(q);
      ResultView.Cell queryCell =
          new ResultView.Cell(
              Thumbnails.Thumb.of(thumbnails.of(query.image())),
              "query",
              Formats.fileName(query.path().toString()),
              query.image().width() + " \u00d7 " + query.image().height(),
              query.path().toString());
      List<ResultView.Cell> hitCells = new ArrayList<>();
      List<SearchHit> hits = report.results().hits().get(q);
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
    int n = report.queries().size();
    String title =
        "Top "
            + report.results().hits().stream().mapToInt(List::size).max().orElse(0)
            + " in '"
            + report.collection()
            + "' for "
            + n
            + (n == 1 ? " query" : " queries")
            + " \u2014 search "
            + Formats.millis(report.results().took().toNanos());
    String subtitle =
        // Least important last: a narrow grid cuts the end of the line.
        "distance: "
            + Formats.metricMeaning(report.spec().metric())
            + "  \u00b7  embedding "
            + Formats.millis(report.embedNanos())
            + " on "
            + report.provider()
            + "  \u00b7  model "
            + report.modelId();
    return new ResultView(title, subtitle, rows);
  }
}
