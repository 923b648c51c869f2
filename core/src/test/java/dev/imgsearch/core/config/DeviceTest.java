package dev.imgsearch.core.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class DeviceTest {

  @Test
  void parsesEveryForm() {
    assertThat(Device.parse("auto")).isEqualTo(Device.AUTO);
    assertThat(Device.parse(" CPU ")).isEqualTo(Device.CPU);
    assertThat(Device.parse("cuda")).isEqualTo(Device.cuda(0));
    assertThat(Device.parse("cuda:3")).isEqualTo(Device.cuda(3));
    assertThat(Device.cuda(2)).hasToString("cuda:2");
  }

  @Test
  void rejectsOthersWithTheAcceptedForms() {
    for (String bad : new String[] {"", "tpu", "cuda:x", "cuda:-1"}) {
      assertThatThrownBy(() -> Device.parse(bad))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("auto, cpu, cuda or cuda:N");
    }
  }
}
