package dev.imgsearch.core.image;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class DecodeExceptionTest {

  @Test
  void theMessageSaysWhatWasFoundAndWhatToDo() {
    DecodeException e =
        new DecodeException(RejectReason.TOO_LARGE, "PNG declares 30000x30000 = 900000000 pixels");
    assertThat(e.getMessage())
        .startsWith("TOO_LARGE: ")
        .contains("30000x30000")
        .contains("--max-pixels");
    assertThat(e.detail()).isEqualTo("PNG declares 30000x30000 = 900000000 pixels");
  }
}
