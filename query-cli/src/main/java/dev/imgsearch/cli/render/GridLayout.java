package dev.imgsearch.cli.render;

/**
 * Geometry of the result grid: one row per query, the query's cell first, then its hits, every cell
 * the same size; a title band on top. Pure arithmetic, so that tests can check the picture's size
 * and the placement of every cell.
 *
 * @param rows query count
 * @param hitColumns hit cells per row (the most hits any query got, at least 1)
 */
public record GridLayout(int rows, int hitColumns) {

  public static final int MARGIN = 20;
  public static final int TITLE_HEIGHT = 58;
  public static final int CELL_WIDTH = 220;
  public static final int THUMB_HEIGHT = 165;
  public static final int CAPTION_HEIGHT = 64;
  public static final int GAP = 14;

  /** Extra space between the query column and its hits, where the separator line runs. */
  public static final int QUERY_GAP = 22;

  /** A rectangle in picture coordinates. */
  public record Box(int x, int y, int width, int height) {}

  public GridLayout {
    if (rows < 1) {
      throw new IllegalArgumentException("the grid needs at least one query row, got " + rows);
    }
    if (hitColumns < 1) {
      throw new IllegalArgumentException(
          "the grid needs at least one hit column, got " + hitColumns);
    }
  }

  public int width() {
    return 2 * MARGIN + (hitColumns + 1) * CELL_WIDTH + hitColumns * GAP + QUERY_GAP;
  }

  public int height() {
    return 2 * MARGIN + TITLE_HEIGHT + rows * (THUMB_HEIGHT + CAPTION_HEIGHT) + (rows - 1) * GAP;
  }

  public Box title() {
    return new Box(MARGIN, MARGIN, width() - 2 * MARGIN, TITLE_HEIGHT);
  }

  /** Column 0 is the query, columns 1..hitColumns its hits in rank order. */
  public Box thumbnail(int row, int column) {
    check(row, column);
    return new Box(cellX(column), rowY(row), CELL_WIDTH, THUMB_HEIGHT);
  }

  public Box caption(int row, int column) {
    check(row, column);
    return new Box(cellX(column), rowY(row) + THUMB_HEIGHT, CELL_WIDTH, CAPTION_HEIGHT);
  }

  /** x of the vertical line between the query column and the hits. */
  public int separatorX() {
    return MARGIN + CELL_WIDTH + (GAP + QUERY_GAP) / 2;
  }

  private int cellX(int column) {
    return column == 0
        ? MARGIN
        : MARGIN + CELL_WIDTH + QUERY_GAP + column * GAP + (column - 1) * CELL_WIDTH;
  }

  private int rowY(int row) {
    return MARGIN + TITLE_HEIGHT + row * (THUMB_HEIGHT + CAPTION_HEIGHT + GAP);
  }

  private void check(int row, int column) {
    if (row < 0 || row >= rows || column < 0 || column > hitColumns) {
      throw new IndexOutOfBoundsException(
          "cell ("
              + row
              + ", "
              + column
              + ") outside a "
              + rows
              + " x "
              + (hitColumns + 1)
              + " grid");
    }
  }

  /**
   * The largest rectangle with the image's aspect ratio that fits {@code box}, centred in it. Small
   * images are enlarged too, so that every cell reads the same.
   */
  public static Box fit(int imageWidth, int imageHeight, Box box) {
    if (imageWidth <= 0 || imageHeight <= 0) {
      throw new IllegalArgumentException("image size " + imageWidth + "x" + imageHeight);
    }
    double scale = Math.min((double) box.width() / imageWidth, (double) box.height() / imageHeight);
    int w = Math.max(1, (int) Math.round(imageWidth * scale));
    int h = Math.max(1, (int) Math.round(imageHeight * scale));
    w = Math.min(w, box.width());
    h = Math.min(h, box.height());
    return new Box(box.x() + (box.width() - w) / 2, box.y() + (box.height() - h) / 2, w, h);
  }
}
