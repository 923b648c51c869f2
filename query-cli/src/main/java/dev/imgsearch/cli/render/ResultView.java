package dev.imgsearch.cli.render;

import java.util.List;

/**
 * What the grid and the HTML page show, independent of how: a title, and per query its cell and its
 * hits' cells in rank order.
 */
public record ResultView(String title, String subtitle, List<Row> rows) {

  public ResultView {
    rows = List.copyOf(rows);
  }

  /** One query and its hits. */
  public record Row(Cell query, List<Cell> hits) {
    public Row {
      hits = List.copyOf(hits);
    }
  }

  /**
   * One picture with its caption.
   *
   * @param heading first caption line: "query", or rank and distance
   * @param name the file name
   * @param detail third line: frame time or pixel size
   * @param fullPath the whole path, for tooltips
   */
  public record Cell(
      Thumbnails.Thumb thumb, String heading, String name, String detail, String fullPath) {}

  /** Hit columns the grid needs: the most hits any query got, at least one. */
  public int hitColumns() {
    return Math.max(1, rows.stream().mapToInt(r -> r.hits().size()).max().orElse(0));
  }

  public GridLayout layout() {
    return new GridLayout(rows.size(), hitColumns());
  }
}
