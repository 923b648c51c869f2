package dev.imgsearch.cli.render;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.FontMetrics;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Path;
import javax.imageio.ImageIO;

/**
 * The result picture of Milvus's image-search tutorial, done with Java2D without a display: one row
 * per query, the query (tinted, captioned "query") then its hits, each captioned with rank,
 * distance and file name.
 */
public final class ResultGrid {

  static {
    // Must be set before the first AWT class initialises; main() sets it too.
    System.setProperty("java.awt.headless", "true");
  }

  private static final Color BACKGROUND = Color.WHITE;
  private static final Color TEXT = new Color(0x20, 0x20, 0x20);
  private static final Color MUTED = new Color(0x6b, 0x6b, 0x6b);
  private static final Color LETTERBOX = new Color(0xf2, 0xf2, 0xf2);
  private static final Color FRAME = new Color(0xd0, 0xd0, 0xd0);
  private static final Color QUERY_TINT = new Color(0xe8, 0xf0, 0xfb);
  private static final Color QUERY_FRAME = new Color(0x5b, 0x8d, 0xd6);
  private static final Color PLACEHOLDER = new Color(0xe4, 0xe4, 0xe4);
  private static final Color PLACEHOLDER_TEXT = new Color(0x90, 0x90, 0x90);

  private static final Font TITLE_FONT = new Font(Font.SANS_SERIF, Font.BOLD, 20);
  private static final Font SUBTITLE_FONT = new Font(Font.SANS_SERIF, Font.PLAIN, 14);
  private static final Font HEADING_FONT = new Font(Font.SANS_SERIF, Font.BOLD, 14);
  private static final Font NAME_FONT = new Font(Font.SANS_SERIF, Font.PLAIN, 13);
  private static final Font DETAIL_FONT = new Font(Font.SANS_SERIF, Font.PLAIN, 12);
  private static final Font PLACEHOLDER_FONT = new Font(Font.SANS_SERIF, Font.BOLD, 18);

  private ResultGrid() {}

  public static void write(ResultView view, Path file) throws IOException {
    BufferedImage image = render(view);
    if (!ImageIO.write(image, "png", file.toFile())) {
      throw new IOException("no PNG writer in this Java runtime");
    }
  }

  public static BufferedImage render(ResultView view) {
    GridLayout layout = view.layout();
    BufferedImage image =
        new BufferedImage(layout.width(), layout.height(), BufferedImage.TYPE_INT_RGB);
    Graphics2D g = image.createGraphics();
    try {
      g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
      g.setRenderingHint(
          RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
      g.setRenderingHint(
          RenderingHints.KEY_FRACTIONALMETRICS, RenderingHints.VALUE_FRACTIONALMETRICS_ON);
      g.setRenderingHint(
          RenderingHints.KEY_INTERPOLATION, RenderingHints.VALUE_INTERPOLATION_BILINEAR);
      g.setColor(BACKGROUND);
      g.fillRect(0, 0, layout.width(), layout.height());
      drawTitle(g, view, layout.title());
      drawSeparator(g, layout);
      for (int row = 0; row < view.rows().size(); row++) {
        ResultView.Row r = view.rows().get(row);
        drawQueryBackground(g, layout, row);
        drawCell(g, r.query(), layout.thumbnail(row, 0), layout.caption(row, 0), true);
        for (int i = 0; i < r.hits().size() && i < layout.hitColumns(); i++) {
          drawCell(
              g, r.hits().get(i), layout.thumbnail(row, i + 1), layout.caption(row, i + 1), false);
        }
      }
    } finally {
      g.dispose();
    }
    return image;
  }

  private static void drawTitle(Graphics2D g, ResultView view, GridLayout.Box box) {
    g.setColor(TEXT);
    g.setFont(TITLE_FONT);
    FontMetrics fm = g.getFontMetrics();
    g.drawString(
        Formats.ellipsizeEnd(view.title(), box.width(), fm::stringWidth),
        box.x(),
        box.y() + fm.getAscent());
    g.setColor(MUTED);
    g.setFont(SUBTITLE_FONT);
    FontMetrics sm = g.getFontMetrics();
    g.drawString(
        Formats.ellipsizeEnd(view.subtitle(), box.width(), sm::stringWidth),
        box.x(),
        box.y() + fm.getHeight() + sm.getAscent() + 2);
  }

  private static void drawSeparator(Graphics2D g, GridLayout layout) {
    GridLayout.Box first = layout.thumbnail(0, 0);
    GridLayout.Box last = layout.caption(layout.rows() - 1, 0);
    g.setColor(FRAME);
    g.setStroke(new BasicStroke(1f));
    int x = layout.separatorX();
    g.drawLine(x, first.y(), x, last.y() + last.height());
  }

  private static void drawQueryBackground(Graphics2D g, GridLayout layout, int row) {
    GridLayout.Box thumb = layout.thumbnail(row, 0);
    GridLayout.Box caption = layout.caption(row, 0);
    int pad = 6;
    int x = thumb.x() - pad;
    int y = thumb.y() - pad;
    int w = thumb.width() + 2 * pad;
    int h = caption.y() + caption.height() - thumb.y() + pad;
    g.setColor(QUERY_TINT);
    g.fillRoundRect(x, y, w, h, 10, 10);
    g.setColor(QUERY_FRAME);
    g.setStroke(new BasicStroke(1.5f));
    g.drawRoundRect(x, y, w, h, 10, 10);
  }

  private static void drawCell(
      Graphics2D g,
      ResultView.Cell cell,
      GridLayout.Box thumb,
      GridLayout.Box caption,
      boolean query) {
    Thumbnails.Thumb t = cell.thumb();
    if (t.image() != null) {
      g.setColor(query ? Color.WHITE : LETTERBOX);
      g.fillRect(thumb.x(), thumb.y(), thumb.width(), thumb.height());
      GridLayout.Box fit = GridLayout.fit(t.image().getWidth(), t.image().getHeight(), thumb);
      g.drawImage(t.image(), fit.x(), fit.y(), fit.width(), fit.height(), null);
    } else {
      g.setColor(PLACEHOLDER);
      g.fillRect(thumb.x(), thumb.y(), thumb.width(), thumb.height());
      g.setColor(PLACEHOLDER_TEXT);
      g.setFont(PLACEHOLDER_FONT);
      FontMetrics pm = g.getFontMetrics();
      String word = t.problem() == null ? "no image" : t.problem();
      g.drawString(
          word,
          thumb.x() + (thumb.width() - pm.stringWidth(word)) / 2,
          thumb.y() + (thumb.height() + pm.getAscent() - pm.getDescent()) / 2);
    }
    g.setColor(query ? QUERY_FRAME : FRAME);
    g.setStroke(new BasicStroke(1f));
    g.drawRect(thumb.x(), thumb.y(), thumb.width() - 1, thumb.height() - 1);

    int x = caption.x() + 2;
    int width = caption.width() - 4;
    int y = caption.y() + 4;
    g.setFont(HEADING_FONT);
    g.setColor(query ? QUERY_FRAME.darker() : TEXT);
    FontMetrics hm = g.getFontMetrics();
    y += hm.getAscent();
    g.drawString(Formats.ellipsizeEnd(cell.heading(), width, hm::stringWidth), x, y);
    g.setFont(NAME_FONT);
    g.setColor(TEXT);
    FontMetrics nm = g.getFontMetrics();
    y += nm.getHeight() + 1;
    g.drawString(Formats.ellipsizeMiddle(cell.name(), width, nm::stringWidth), x, y);
    if (cell.detail() != null && !cell.detail().isEmpty()) {
      g.setFont(DETAIL_FONT);
      g.setColor(MUTED);
      FontMetrics dm = g.getFontMetrics();
      y += dm.getHeight() + 1;
      g.drawString(Formats.ellipsizeEnd(cell.detail(), width, dm::stringWidth), x, y);
    }
  }
}
