package dev.imgsearch.cli.render;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.awt.image.BufferedImage;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class GridLayoutTest {

  @Test
  void sizeGrowsWithQueriesAndHits() {
    GridLayout one = new GridLayout(1, 3);
    GridLayout two = new GridLayout(2, 3);
    GridLayout wide = new GridLayout(1, 10);
    assertThat(two.width()).isEqualTo(one.width());
    assertThat(two.height() - one.height())
        .isEqualTo(GridLayout.THUMB_HEIGHT + GridLayout.CAPTION_HEIGHT + GridLayout.GAP);
    assertThat(wide.width() - one.width()).isEqualTo(7 * (GridLayout.CELL_WIDTH + GridLayout.GAP));
    // k = 10 stays a picture one can view on a screen at 100%.
    assertThat(wide.width()).isLessThan(2800);
  }

  @Test
  void cellsDoNotOverlapAndStayInside() {
    GridLayout layout = new GridLayout(3, 5);
    List<GridLayout.Box> boxes = new ArrayList<>();
    for (int row = 0; row < 3; row++) {
      for (int col = 0; col <= 5; col++) {
        boxes.add(layout.thumbnail(row, col));
        boxes.add(layout.caption(row, col));
      }
    }
    for (GridLayout.Box b : boxes) {
      assertThat(b.x()).isGreaterThanOrEqualTo(GridLayout.MARGIN);
      assertThat(b.y()).isGreaterThanOrEqualTo(GridLayout.MARGIN + GridLayout.TITLE_HEIGHT);
      assertThat(b.x() + b.width()).isLessThanOrEqualTo(layout.width() - GridLayout.MARGIN);
      assertThat(b.y() + b.height()).isLessThanOrEqualTo(layout.height() - GridLayout.MARGIN);
    }
    for (int i = 0; i < boxes.size(); i++) {
      for (int j = i + 1; j < boxes.size(); j++) {
        assertThat(overlap(boxes.get(i), boxes.get(j)))
            .as(boxes.get(i) + " / " + boxes.get(j))
            .isFalse();
      }
    }
    int sep = layout.separatorX();
    assertThat(sep).isGreaterThan(layout.thumbnail(0, 0).x() + GridLayout.CELL_WIDTH);
    assertThat(sep).isLessThan(layout.thumbnail(0, 1).x());
    assertThatThrownBy(() -> layout.thumbnail(3, 0)).isInstanceOf(IndexOutOfBoundsException.class);
  }

  @Test
  void fitKeepsAspectRatioAndCentres() {
    GridLayout.Box box = new GridLayout.Box(100, 50, 220, 165);
    GridLayout.Box wide = GridLayout.fit(1000, 250, box);
    assertThat(wide.width()).isEqualTo(220);
    assertThat(wide.height()).isEqualTo(55);
    assertThat(wide.y()).isEqualTo(50 + (165 - 55) / 2);
    GridLayout.Box tall = GridLayout.fit(300, 900, box);
    assertThat(tall.height()).isEqualTo(165);
    assertThat(tall.width()).isEqualTo(55);
    assertThat(tall.x()).isEqualTo(100 + (220 - 55) / 2);
    GridLayout.Box small = GridLayout.fit(32, 24, box);
    assertThat(small.width()).isEqualTo(220);
    assertThat(small.height()).isEqualTo(165);
  }

  @Test
  void renderedGridHasTheLayoutsSizeWithPlaceholders() {
    BufferedImage photo = new BufferedImage(400, 300, BufferedImage.TYPE_INT_RGB);
    ResultView.Cell query =
        new ResultView.Cell(Thumbnails.Thumb.of(photo), "query", "q.jpg", "400 x 300", "/q.jpg");
    ResultView.Cell hit =
        new ResultView.Cell(Thumbnails.Thumb.of(photo), "#1   0.9900", "a.jpg", "", "/a.jpg");
    ResultView.Cell gone =
        new ResultView.Cell(
            Thumbnails.Thumb.placeholder("missing"), "#2   0.5", "b.jpg", "", "/b.jpg");
    ResultView view =
        new ResultView(
            "Top 2",
            "sub",
            List.of(
                new ResultView.Row(query, List.of(hit, gone)),
                new ResultView.Row(query, List.of(hit))));
    BufferedImage image = ResultGrid.render(view);
    GridLayout layout = new GridLayout(2, 2);
    assertThat(image.getWidth()).isEqualTo(layout.width());
    assertThat(image.getHeight()).isEqualTo(layout.height());
  }

  @Test
  void thumbnailsFitTheirBox() {
    BufferedImage big = new BufferedImage(4000, 1000, BufferedImage.TYPE_INT_RGB);
    BufferedImage t = Thumbnails.fit(big, 220, 165);
    assertThat(t.getWidth()).isEqualTo(220);
    assertThat(t.getHeight()).isEqualTo(55);
  }

  private static boolean overlap(GridLayout.Box a, GridLayout.Box b) {
    return a.x() < b.x() + b.width()
        && b.x() < a.x() + a.width()
        && a.y() < b.y() + b.height()
        && b.y() < a.y() + a.height();
  }
}
