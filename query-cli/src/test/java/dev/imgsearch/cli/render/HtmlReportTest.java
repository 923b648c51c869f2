package dev.imgsearch.cli.render;

import static org.assertj.core.api.Assertions.assertThat;

import java.awt.image.BufferedImage;
import java.util.List;
import org.junit.jupiter.api.Test;

class HtmlReportTest {

  @Test
  void escapesEveryPieceOfText() {
    assertThat(HtmlReport.escape("<a href=\"x\">'&'</a>"))
        .isEqualTo("&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;");
  }

  @Test
  void pageInlinesThumbnailsAndEscapesNames() {
    BufferedImage photo = new BufferedImage(40, 30, BufferedImage.TYPE_INT_RGB);
    String evil = "<script>alert(1)</script>.jpg";
    ResultView view =
        new ResultView(
            "Top 1 <in> 'x'",
            "a & b",
            List.of(
                new ResultView.Row(
                    new ResultView.Cell(Thumbnails.Thumb.of(photo), "query", evil, "", "/" + evil),
                    List.of(
                        new ResultView.Cell(
                            Thumbnails.Thumb.placeholder("missing"),
                            "#1",
                            "a.jpg",
                            "",
                            "/a.jpg")))));
    String html = HtmlReport.render(view);
    assertThat(html)
        .doesNotContain("<script>")
        .contains("&lt;script&gt;alert(1)&lt;/script&gt;.jpg");
    assertThat(html).contains("Top 1 &lt;in&gt; &#39;x&#39;").contains("a &amp; b");
    assertThat(html).contains("src=\"data:image/jpeg;base64,/9j/");
    assertThat(html).contains("<div class=\"thumb missing\">missing</div>");
    assertThat(html).doesNotContain("http://").doesNotContain("https://");
  }
}
