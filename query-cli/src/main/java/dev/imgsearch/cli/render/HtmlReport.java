package dev.imgsearch.cli.render;

import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.Iterator;
import javax.imageio.IIOImage;
import javax.imageio.ImageIO;
import javax.imageio.ImageWriteParam;
import javax.imageio.ImageWriter;
import javax.imageio.stream.MemoryCacheImageOutputStream;

/**
 * The grid as one self-contained HTML page: thumbnails inlined as JPEG data URIs, every piece of
 * text escaped, no scripts, no external resources.
 */
public final class HtmlReport {

  private static final String STYLE =
      """
      body{font-family:system-ui,-apple-system,"Segoe UI",sans-serif;margin:24px;color:#202020;background:#fff}
      h1{font-size:20px;margin:0 0 4px}
      p.sub{color:#6b6b6b;margin:0 0 18px;font-size:14px}
      section{display:flex;gap:14px;align-items:flex-start;margin-bottom:18px;overflow-x:auto}
      figure{margin:0;width:220px;flex:none}
      figure.query{background:#e8f0fb;outline:1.5px solid #5b8dd6;border-radius:5px;padding:6px;margin-right:16px}
      .thumb{width:220px;height:165px;display:flex;align-items:center;justify-content:center;background:#f2f2f2;border:1px solid #d0d0d0;box-sizing:border-box}
      .thumb img{max-width:100%;max-height:100%}
      .missing{background:#e4e4e4;color:#909090;font-weight:bold;font-size:18px}
      figcaption{font-size:13px;line-height:18px;margin-top:4px}
      figcaption b{font-size:14px}
      figcaption .name{display:block;white-space:nowrap;overflow:hidden;text-overflow:ellipsis}
      figcaption .detail{display:block;color:#6b6b6b;font-size:12px}
      """;

  private HtmlReport() {}

  public static void write(ResultView view, Path file) throws IOException {
    Files.writeString(file, render(view), StandardCharsets.UTF_8);
  }

  public static String render(ResultView view) {
    StringBuilder html = new StringBuilder(64 * 1024);
    html.append("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n")
        .append("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n")
        .append("<title>")
        .append(escape(view.title()))
        .append("</title>\n<style>\n")
        .append(STYLE)
        .append("</style>\n</head>\n<body>\n<h1>")
        .append(escape(view.title()))
        .append("</h1>\n<p class=\"sub\">")
        .append(escape(view.subtitle()))
        .append("</p>\n");
    for (ResultView.Row row : view.rows()) {
      html.append("<section>\n");
      figure(html, row.query(), true);
      for (ResultView.Cell hit : row.hits()) {
        figure(html, hit, false);
      }
      html.append("</section>\n");
    }
    html.append("</body>\n</html>\n");
    return html.toString();
  }

  private static void figure(StringBuilder html, ResultView.Cell cell, boolean query) {
    html.append(query ? "<figure class=\"query\">" : "<figure>");
    Thumbnails.Thumb thumb = cell.thumb();
    if (thumb.image() != null) {
      html.append("<div class=\"thumb\"><img alt=\"")
          .append(escape(cell.name()))
          .append("\" src=\"data:image/jpeg;base64,")
          .append(Base64.getEncoder().encodeToString(jpeg(thumb.image())))
          .append("\"></div>");
    } else {
      html.append("<div class=\"thumb missing\">")
          .append(escape(thumb.problem() == null ? "no image" : thumb.problem()))
          .append("</div>");
    }
    html.append("<figcaption><b>")
        .append(escape(cell.heading()))
        .append("</b><span class=\"name\" title=\"")
        .append(escape(cell.fullPath()))
        .append("\">")
        .append(escape(cell.name()))
        .append("</span>");
    if (cell.detail() != null && !cell.detail().isEmpty()) {
      html.append("<span class=\"detail\">").append(escape(cell.detail())).append("</span>");
    }
    html.append("</figcaption></figure>\n");
  }

  /** Text and attribute values: &amp;, &lt;, &gt;, both quotes. */
  public static String escape(String text) {
    if (text == null) {
      return "";
    }
    StringBuilder out = new StringBuilder(text.length() + 16);
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      switch (c) {
        case '&' -> out.append("&amp;");
        case '<' -> out.append("&lt;");
        case '>' -> out.append("&gt;");
        case '"' -> out.append("&quot;");
        case '\'' -> out.append("&#39;");
        default -> out.append(c);
      }
    }
    return out.toString();
  }

  static byte[] jpeg(BufferedImage image) {
    Iterator<ImageWriter> writers = ImageIO.getImageWritersByFormatName("jpeg");
    if (!writers.hasNext()) {
      throw new IllegalStateException("no JPEG writer in this Java runtime");
    }
    ImageWriter writer = writers.next();
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (MemoryCacheImageOutputStream out = new MemoryCacheImageOutputStream(bytes)) {
      writer.setOutput(out);
      ImageWriteParam param = writer.getDefaultWriteParam();
      param.setCompressionMode(ImageWriteParam.MODE_EXPLICIT);
      param.setCompressionQuality(0.88f);
      writer.write(null, new IIOImage(image, null, null), param);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } finally {
      writer.dispose();
    }
    return bytes.toByteArray();
  }
}
