package dev.imgsearch.cli.render;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.imgsearch.core.store.MetricType;
import org.junit.jupiter.api.Test;

class FormatsTest {

  @Test
  void frameTimeIsMinutesSecondsMillis() {
    assertThat(Formats.frameTime(0)).isEqualTo("00:00.000");
    assertThat(Formats.frameTime(62_345)).isEqualTo("01:02.345");
    assertThat(Formats.frameTime(4_502_007)).isEqualTo("75:02.007");
    assertThatThrownBy(() -> Formats.frameTime(-1)).isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void distanceHasFourDecimalsWhateverTheLocale() {
    assertThat(Formats.distance(0.98766f)).isEqualTo("0.9877");
    assertThat(Formats.distance(1f)).isEqualTo("1.0000");
  }

  @Test
  void metricMeaningSaysWhichWayIsCloser() {
    assertThat(Formats.metricMeaning(MetricType.COSINE)).contains("higher is closer");
    assertThat(Formats.metricMeaning(MetricType.IP)).contains("higher is closer");
    assertThat(Formats.metricMeaning(MetricType.L2)).contains("lower is closer");
  }

  @Test
  void ellipsizeMiddleKeepsStartAndExtension() {
    String name = "holiday-beach-sunset-with-friends-2019.jpg";
    String cut = Formats.ellipsizeMiddle(name, 20, String::length);
    assertThat(cut).hasSize(20).startsWith("holiday-b").endsWith("9.jpg").contains("\u2026");
    assertThat(Formats.ellipsizeMiddle("short.jpg", 20, String::length)).isEqualTo("short.jpg");
    assertThat(Formats.ellipsizeMiddle(name, 0, String::length)).isEmpty();
  }

  @Test
  void ellipsizeEndCutsTheTail() {
    assertThat(Formats.ellipsizeEnd("Top 5 in 'image_search'", 10, String::length))
        .isEqualTo("Top 5 in\u2026");
    assertThat(Formats.ellipsizeEnd("fits", 10, String::length)).isEqualTo("fits");
  }

  @Test
  void fileNameOfPath() {
    assertThat(Formats.fileName("/a/b/c.jpg")).isEqualTo("c.jpg");
    assertThat(Formats.fileName("c.jpg")).isEqualTo("c.jpg");
  }
}
