package dev.imgsearch.core.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.imgsearch.core.config.MilvusConfig;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** Lives with the store tests, which own the Milvus configuration's test sources. */
class MilvusConfigTest {

  @Test
  void defaultsPointAtALocalServer() {
    MilvusConfig config = MilvusConfig.defaults();
    assertThat(config.uri()).isEqualTo("http://127.0.0.1:19530");
    assertThat(config.collection()).isEqualTo("image_search");
    assertThat(config.token()).isNull();
    assertThat(config.database()).isNull();
  }

  @Test
  void toStringNeverShowsTheToken() {
    MilvusConfig config = MilvusConfig.defaults().withToken("root:s3cret");
    assertThat(config.toString()).doesNotContain("s3cret").contains("token=****");
    assertThat(MilvusConfig.defaults().toString()).contains("token=none");
  }

  @Test
  void blankTokenMeansNoAuthentication() {
    assertThat(MilvusConfig.defaults().withToken("  ").token()).isNull();
  }

  @Test
  void rejectsUrisWithoutHttpScheme() {
    assertThatThrownBy(() -> MilvusConfig.defaults().withUri("127.0.0.1:19530"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("127.0.0.1:19530")
        .hasMessageContaining("http://");
    assertThatThrownBy(() -> MilvusConfig.defaults().withUri(""))
        .hasMessageContaining("MILVUS_URI");
  }

  @Test
  void rejectsCollectionNamesMilvusRefuses() {
    assertThatThrownBy(() -> MilvusConfig.defaults().withCollection("my-images"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("my-images")
        .hasMessageContaining("letters, digits and underscores");
    assertThatThrownBy(() -> MilvusConfig.defaults().withCollection("1st"))
        .isInstanceOf(IllegalArgumentException.class);
    assertThat(MilvusConfig.defaults().withCollection("_images_2").collection())
        .isEqualTo("_images_2");
  }

  @Test
  void rejectsNonPositiveTimeouts() {
    assertThatThrownBy(
            () -> MilvusConfig.defaults().withTimeouts(Duration.ZERO, Duration.ofSeconds(1)))
        .hasMessageContaining("connectTimeout");
    assertThatThrownBy(
            () ->
                MilvusConfig.defaults().withTimeouts(Duration.ofSeconds(1), Duration.ofSeconds(-1)))
        .hasMessageContaining("rpcTimeout");
  }
}
