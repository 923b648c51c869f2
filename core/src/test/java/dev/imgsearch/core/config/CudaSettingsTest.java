package dev.imgsearch.core.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.entry;

import dev.imgsearch.core.config.CudaSettings.ConvAlgoSearch;
import org.junit.jupiter.api.Test;

class CudaSettingsTest {

  @Test
  void defaultsBenchmarkConvolutionsAndLeaveTheArenaUncapped() {
    assertThat(CudaSettings.defaults().providerOptions(1))
        .containsExactly(
            entry("device_id", "1"),
            entry("cudnn_conv_algo_search", "EXHAUSTIVE"),
            entry("arena_extend_strategy", "kSameAsRequested"),
            entry("use_tf32", "1"));
  }

  @Test
  void aMemoryCapAndAnotherSearchAreHandedToTheProvider() {
    CudaSettings settings =
        CudaSettings.defaults()
            .withConvAlgoSearch(ConvAlgoSearch.parse("heuristic"))
            .withMemLimitBytes(CudaSettings.parseBytes("8g"))
            .withTf32(false);
    assertThat(settings.providerOptions(0))
        .containsEntry("cudnn_conv_algo_search", "HEURISTIC")
        .containsEntry("gpu_mem_limit", Long.toString(8L << 30))
        .containsEntry("use_tf32", "0");
  }

  @Test
  void memorySizesReadBytesAndBinaryUnits() {
    assertThat(CudaSettings.parseBytes("0")).isZero();
    assertThat(CudaSettings.parseBytes("1024")).isEqualTo(1024);
    assertThat(CudaSettings.parseBytes("512k")).isEqualTo(512L << 10);
    assertThat(CudaSettings.parseBytes("3M")).isEqualTo(3L << 20);
    assertThat(CudaSettings.parseBytes(" 2g ")).isEqualTo(2L << 30);
  }

  @Test
  void badValuesSayWhatIsAccepted() {
    assertThatThrownBy(() -> CudaSettings.parseBytes("8 GB"))
        .hasMessageContaining("'8 GB'")
        .hasMessageContaining("k, m or g");
    assertThatThrownBy(() -> CudaSettings.parseBytes("-1")).hasMessageContaining("memory size");
    assertThatThrownBy(() -> ConvAlgoSearch.parse("fastest"))
        .hasMessageContaining("'fastest'")
        .hasMessageContaining("exhaustive, heuristic or default");
  }
}
