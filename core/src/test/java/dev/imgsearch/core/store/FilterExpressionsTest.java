package dev.imgsearch.core.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;

class FilterExpressionsTest {

  @Test
  void quotesPlainPaths() {
    assertThat(FilterExpressions.filepathEquals("/data/a.jpg"))
        .isEqualTo("filepath == \"/data/a.jpg\"");
  }

  @Test
  void escapesQuotesSoThePathCannotEndTheLiteral() {
    assertThat(FilterExpressions.filepathEquals("a\" or id != \""))
        .isEqualTo("filepath == \"a\\\" or id != \\\"\"");
  }

  @Test
  void escapesBackslashesBeforeQuotes() {
    // A path ending in a backslash must not escape the closing quote.
    assertThat(FilterExpressions.quote("dir\\")).isEqualTo("\"dir\\\\\"");
    assertThat(FilterExpressions.quote("a\\\"b")).isEqualTo("\"a\\\\\\\"b\"");
  }

  @Test
  void listsPathsForADeleteOfWholeFiles() {
    assertThat(FilterExpressions.filepathIn(List.of("/a.jpg", "/b\".jpg")))
        .isEqualTo("filepath in [\"/a.jpg\", \"/b\\\".jpg\"]");
    assertThatThrownBy(() -> FilterExpressions.filepathIn(List.of()))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void selectsOtherVersionsOfOneFile() {
    assertThat(FilterExpressions.otherVersionsOf("/v.mp4", 1700000000000L))
        .isEqualTo("(filepath == \"/v.mp4\") and (mtime_ms != 1700000000000)");
  }

  @Test
  void escapesLineBreaksAndTabsAndKeepsOtherControlCharacters() {
    // Milvus Lite's parser knows no backslash-u escape; both parsers take other control characters
    // raw.
    assertThat(FilterExpressions.quote("a\nb\rc\td\u0001\u001b"))
        .isEqualTo("\"a\\nb\\rc\td\u0001\u001b\"");
  }

  @Test
  void keepsNonAsciiAsIs() {
    assertThat(FilterExpressions.quote("/фото/猫.jpg")).isEqualTo("\"/фото/猫.jpg\"");
  }

  @Test
  void buildsIdLists() {
    assertThat(FilterExpressions.idIn(List.of("a", "b\""))).isEqualTo("id in [\"a\", \"b\\\"\"]");
    assertThatThrownBy(() -> FilterExpressions.idIn(List.of()))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void combinesWithParentheses() {
    assertThat(FilterExpressions.and("a == 1 or b == 2", FilterExpressions.stillImagesOnly()))
        .isEqualTo("(a == 1 or b == 2) and (frame_ms == -1)");
  }
}
