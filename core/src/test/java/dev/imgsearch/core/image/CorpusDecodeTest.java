package dev.imgsearch.core.image;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.imgsearch.core.testing.Corpus;
import java.nio.file.Files;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every file of the corpus of real odd and broken images: each decodable one becomes 8-bit RGB,
 * oriented as Pillow + {@code ImageOps.exif_transpose} orients it (torchvision's loading path);
 * each broken one is refused with its specific reason.
 */
class CorpusDecodeTest {

  /**
   * Largest mean difference, in 8-bit levels, between the grid of our decode and Pillow's. Lossy
   * decoders round differently and GIF/WebP first frames are composited slightly differently; a
   * wrong orientation, channel order or CMYK inversion is off by 30 or more.
   */
  private static final double TOLERANCE = 4.0;

  private final ImageDecoder decoder = new ImageDecoder(DecoderOptions.defaults());

  static List<Corpus.Entry> decodable() {
    return Corpus.decodable();
  }

  static List<Corpus.Entry> broken() {
    return Corpus.broken();
  }

  @Test
  void theCorpusIsWhatItsManifestSays() throws Exception {
    // Guards against a checkout that rewrote bytes (line endings in the text file, LFS pointers).
    assertThat(Corpus.all()).hasSizeGreaterThan(40);
    for (Corpus.Entry e : Corpus.all()) {
      byte[] data = Files.readAllBytes(e.path());
      assertThat(data.length).as(e.file()).isEqualTo(e.bytes());
      assertThat(HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(data)))
          .as(e.file())
          .isEqualTo(e.sha256());
    }
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("decodable")
  void decodesToOrientedRgbLikePillow(Corpus.Entry e) throws Exception {
    DecodedImage image = decoder.decode(Files.readAllBytes(e.path()));

    assertThat(image.width()).as("width").isEqualTo(e.width());
    assertThat(image.height()).as("height").isEqualTo(e.height());
    assertThat(image.rgb()).hasSize(e.width() * e.height() * 3);
    double[] means = Corpus.gridMeans(image.rgb(), image.width(), image.height(), e.grid());
    double diff = Corpus.meanAbsDiff(means, e.means());
    assertThat(diff).as("mean difference from Pillow's decode").isLessThan(TOLERANCE);
    if (e.unorientedMeans() != null) {
      // The orientation really matters for this file: the stored pixels, as they are, are
      // clearly further from our result than the reference is.
      assertThat(Corpus.meanAbsDiff(means, e.unorientedMeans()))
          .as("difference from the un-oriented pixels")
          .isGreaterThan(Math.max(5.0, 3 * diff));
    }
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("broken")
  void refusesWithItsSpecificReason(Corpus.Entry e) throws Exception {
    byte[] data = Files.readAllBytes(e.path());
    assertThatThrownBy(() -> decoder.decode(data))
        .isInstanceOfSatisfying(
            DecodeException.class,
            ex -> {
              assertThat(ex.reason().name()).isEqualTo(e.expect());
              assertThat(ex.detail()).isNotBlank();
            });
  }

  @Test
  void theBombIsRefusedFromItsHeaderWithTheDeclaredSize() throws Exception {
    for (String name : List.of("bad/bomb-22500x33300.png", "bad/bomb-22500x33300.jpg")) {
      Corpus.Entry e =
          Corpus.all().stream().filter(c -> c.file().equals(name)).findFirst().orElseThrow();
      byte[] data = Files.readAllBytes(e.path());
      assertThat(ImageHeaderReader.read(data).pixels()).isEqualTo(22500L * 33300);
      assertThatThrownBy(() -> decoder.decode(data))
          .isInstanceOfSatisfying(
              DecodeException.class,
              ex -> assertThat(ex.detail()).contains("22500x33300").contains("749250000"));
    }
  }
}
