package dev.imgsearch.core.store;

import static org.assertj.core.api.Assertions.assertThat;

import dev.imgsearch.core.testing.TestRows;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;
import org.junit.jupiter.api.Test;

class ImageIdsTest {

  @Test
  void isTheSha256OfPathNulFrame() throws Exception {
    String expected =
        HexFormat.of()
            .formatHex(
                MessageDigest.getInstance("SHA-256")
                    .digest("/data/a.jpg\u0000-1".getBytes(StandardCharsets.UTF_8)));
    assertThat(ImageIds.of(Path.of("/data/a.jpg"), -1)).isEqualTo(expected).hasSize(64);
  }

  @Test
  void knownValueIsStable() {
    // Pinned: changing the id scheme would duplicate every stored image on re-ingestion.
    assertThat(ImageIds.ofNormalized("/data/a.jpg", -1))
        .isEqualTo(ImageIds.of(Path.of("/data/./x/../a.jpg"), -1))
        .matches("[0-9a-f]{64}");
  }

  @Test
  void normalizesDotsAndRelativePathsButNotSymlinks() {
    Path relative = Path.of("photos/../photos/cat.jpg");
    assertThat(ImageIds.normalize(relative))
        .isEqualTo(Path.of("").toAbsolutePath().resolve("photos/cat.jpg").toString());
    assertThat(ImageIds.of(relative, 0))
        .isEqualTo(ImageIds.of(Path.of("").toAbsolutePath().resolve("photos/cat.jpg"), 0));
  }

  @Test
  void framesOfOneVideoGetDistinctIds() {
    Path video = Path.of("/videos/v.mp4");
    assertThat(ImageIds.of(video, 0)).isNotEqualTo(ImageIds.of(video, 1000));
    assertThat(ImageIds.of(video, -1)).isNotEqualTo(ImageIds.of(video, 0));
  }

  @Test
  void separatorPreventsConcatenationCollisions() {
    // Without the NUL, "/a1" + "0" and "/a" + "10" would hash the same string.
    assertThat(ImageIds.ofNormalized("/a1", 0)).isNotEqualTo(ImageIds.ofNormalized("/a", 10));
  }

  @Test
  void recordFactoryUsesTheNormalizedPath() {
    ImageRecord row = TestRows.image("/data/./sub/../a.jpg", 4, 1);
    assertThat(row.filepath()).isEqualTo("/data/a.jpg");
    assertThat(row.id()).isEqualTo(ImageIds.of(Path.of("/data/a.jpg"), -1));
  }
}
