package dev.imgsearch.core.image;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.imgsearch.core.testing.Corpus;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * HEIC and AVIF beyond the corpus check: decodes that match libheif's almost to the level, the
 * header read before any codec runs, every way of cutting a file, damaged bytes, codings that
 * cannot be read, and the reduced-size decode. Files: corpus/heif (scripts/reference/make_heif.py).
 */
class HeifDecoderTest {

  private final ImageDecoder decoder = new ImageDecoder(DecoderOptions.defaults());

  static List<Corpus.Entry> decodable() {
    return Corpus.heif().stream().filter(Corpus.Entry::decodable).toList();
  }

  private static byte[] file(String name) throws Exception {
    return Files.readAllBytes(
        Corpus.heif().stream()
            .filter(e -> e.file().equals("heif/" + name))
            .findFirst()
            .orElseThrow()
            .path());
  }

  private static Corpus.Entry entry(String name) {
    return Corpus.heif().stream()
        .filter(e -> e.file().equals("heif/" + name))
        .findFirst()
        .orElseThrow();
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("decodable")
  void decodesAsLibheifDoesToWithinALevel(Corpus.Entry e) throws Exception {
    DecodedImage image = decoder.decode(Files.readAllBytes(e.path()));

    assertThat(image.format())
        .isEqualTo(e.file().endsWith(".avif") ? ImageFormat.AVIF : ImageFormat.HEIF);
    assertThat(new int[] {image.width(), image.height()}).containsExactly(e.width(), e.height());
    double[] means = Corpus.gridMeans(image.rgb(), image.width(), image.height(), e.grid());
    // The same nearest-sample chroma and rounding as libheif 1.15: 8-bit files come out equal
    // but for a few pixels one level off; 10-bit ones are rounded where PIL truncates its
    // 16-bit PNG, about a third of a level on average.
    assertThat(Corpus.meanAbsDiff(means, e.means())).isLessThan(0.5);
  }

  @Test
  void theHeaderGivesTheStoredSizeWithoutDecoding() throws Exception {
    ImageHeader grid = ImageHeaderReader.read(file("good/heic-phone-grid.heic"));
    // 3x4 tiles of 128x128 cropped to 334x500, stored sideways: irot turns it to 500x334.
    assertThat(grid).isEqualTo(new ImageHeader(ImageFormat.HEIF, 334, 500, true));
    assertThat(ImageHeaderReader.read(file("good/avif-grid-10bit-444.avif")))
        .isEqualTo(new ImageHeader(ImageFormat.AVIF, 384, 256, true));
    assertThat(ImageHeaderReader.read(file("bad/heic-truncated.heic")).complete()).isFalse();
  }

  @Test
  void theRotationIsAppliedOnceAndTheExifOrientationNotAgain() throws Exception {
    // irot=3 and EXIF Orientation=6 say the same: turned once, upright 500x334.
    DecodedImage phone = decoder.decode(file("good/heic-phone-grid.heic"));
    assertThat(new int[] {phone.width(), phone.height(), phone.sourceWidth()})
        .containsExactly(500, 334, 500);
    DecodedImage avif = decoder.decode(file("good/avif-irot3-exif6.avif"));
    assertThat(new int[] {avif.width(), avif.height()}).containsExactly(240, 360);
    // EXIF Orientation=6 and no irot: shown as stored, as libheif and pillow-heif show it.
    DecodedImage exifOnly = decoder.decode(file("good/heic-exif6-no-irot.heic"));
    assertThat(new int[] {exifOnly.width(), exifOnly.height()}).containsExactly(427, 640);
  }

  @Test
  @Timeout(value = 60, unit = TimeUnit.SECONDS)
  void everyCutOfAFileIsTruncated() throws Exception {
    for (String name : List.of("good/heic-phone-grid.heic", "good/avif-grid-10bit-444.avif")) {
      byte[] whole = file(name);
      for (int n = 0; n < whole.length; n++) {
        byte[] cut = java.util.Arrays.copyOf(whole, n);
        // Fewer than 12 bytes do not yet show the ftyp box and its brand.
        RejectReason expected =
            n == 0
                ? RejectReason.EMPTY
                : n < 12 ? RejectReason.UNKNOWN_FORMAT : RejectReason.TRUNCATED;
        int length = n;
        assertThatThrownBy(() -> decoder.decode(cut))
            .as("%s cut to %d bytes", name, length)
            .isInstanceOfSatisfying(
                DecodeException.class, ex -> assertThat(ex.reason()).isEqualTo(expected));
      }
    }
  }

  @Test
  @Timeout(value = 120, unit = TimeUnit.SECONDS)
  void damagedBytesGiveAPictureOrAReasonNeverACrash() throws Exception {
    Random random = new Random(17);
    Map<RejectReason, Integer> reasons = new EnumMap<>(RejectReason.class);
    int decoded = 0;
    for (Corpus.Entry e : decodable()) {
      byte[] whole = Files.readAllBytes(e.path());
      for (int trial = 0; trial < 30; trial++) {
        byte[] damaged = whole.clone();
        int flips = 1 + random.nextInt(16);
        // Half the trials hit the boxes (the first 400 bytes), half anywhere.
        int range = trial % 2 == 0 ? Math.min(400, whole.length) : whole.length;
        for (int i = 0; i < flips; i++) {
          damaged[random.nextInt(range)] ^= (byte) (1 + random.nextInt(255));
        }
        try {
          DecodedImage image = decoder.decode(damaged);
          assertThat(image.rgb()).hasSize(image.width() * image.height() * 3);
          decoded++;
        } catch (DecodeException ex) {
          assertThat(ex.detail()).isNotBlank();
          reasons.merge(ex.reason(), 1, Integer::sum);
        }
      }
    }
    System.out.printf("damaged HEIF files: %d decoded, rejected %s%n", decoded, reasons);
    assertThat(reasons).containsKey(RejectReason.CORRUPT);
    assertThat(decoded).isPositive();
  }

  @Test
  void thePixelLimitRefusesTheFileFromItsHeader() throws Exception {
    ImageDecoder strict = new ImageDecoder(DecoderOptions.defaults().withMaxPixels(100_000));
    assertThatThrownBy(() -> strict.decode(file("good/heic-phone-grid.heic")))
        .isInstanceOfSatisfying(
            DecodeException.class,
            ex -> {
              assertThat(ex.reason()).isEqualTo(RejectReason.TOO_LARGE);
              assertThat(ex.detail()).contains("334x500").contains("167000");
            });
    assertThatThrownBy(() -> decoder.decode(file("bad/heic-bomb-40000x30000.heic")))
        .isInstanceOfSatisfying(
            DecodeException.class,
            ex -> assertThat(ex.detail()).contains("40000x30000").contains("1200000000"));
  }

  @Test
  void codingsThatCannotBeDecodedNameTheirCodec() throws Exception {
    byte[] single = file("good/heic-single.heic");
    assertUnsupported(withItemType(single, "unci"), "uncompressed", "'unci'");
    assertUnsupported(withItemType(single, "avc1"), "H.264", "'avc1'");
    assertUnsupported(withItemType(single, "j2k1"), "JPEG 2000", "'j2k1'");

    // An AVIF image sequence that has only its moov track, no still item.
    ByteArrayOutputStream seq = new ByteArrayOutputStream();
    seq.write(box("ftyp", "avis\0\0\0\0avismsf1".getBytes(StandardCharsets.ISO_8859_1)));
    seq.write(box("moov", new byte[16]));
    assertUnsupported(seq.toByteArray(), "image sequence");
  }

  @Test
  void damageIsCorruptAndAMissingMetaBoxTruncated() throws Exception {
    // A file cut at a box boundary before its meta box looks like this.
    ByteArrayOutputStream noMeta = new ByteArrayOutputStream();
    noMeta.write(box("ftyp", "heic\0\0\0\0mif1heic".getBytes(StandardCharsets.ISO_8859_1)));
    noMeta.write(box("mdat", new byte[64]));
    assertThatThrownBy(() -> decoder.decode(noMeta.toByteArray()))
        .isInstanceOfSatisfying(
            DecodeException.class,
            ex -> {
              assertThat(ex.reason()).isEqualTo(RejectReason.TRUNCATED);
              assertThat(ex.detail()).contains("without its meta box");
            });
    byte[] single = file("good/heic-single.heic");
    byte[] badGrid = single.clone();
    // The iloc box says its offsets take 3 bytes: no such field size exists.
    int iloc = new String(single, StandardCharsets.ISO_8859_1).indexOf("iloc");
    badGrid[iloc + 8] = 0x34;
    assertThatThrownBy(() -> decoder.decode(badGrid))
        .isInstanceOfSatisfying(
            DecodeException.class,
            ex -> {
              assertThat(ex.reason()).isEqualTo(RejectReason.CORRUPT);
              assertThat(ex.detail()).contains("iloc field size 3");
            });
    assertThatThrownBy(() -> decoder.decode(file("bad/heic-damaged-hevc.heic")))
        .isInstanceOfSatisfying(
            DecodeException.class,
            ex -> {
              assertThat(ex.reason()).isEqualTo(RejectReason.CORRUPT);
              assertThat(ex.detail()).contains("HEVC");
            });
  }

  @Test
  void aReducedDecodeHalvesTheGridWhenTheShortSideAllows() throws Exception {
    Corpus.Entry e = entry("good/heic-phone-grid.heic");
    ImageDecoder reduced = new ImageDecoder(DecoderOptions.defaults().withReducedDecode(128));
    DecodedImage image = reduced.decode(Files.readAllBytes(e.path()));

    assertThat(new int[] {image.width(), image.height()}).containsExactly(250, 167);
    assertThat(new int[] {image.sourceWidth(), image.sourceHeight()}).containsExactly(500, 334);
    double[] means = Corpus.gridMeans(image.rgb(), image.width(), image.height(), e.grid());
    assertThat(Corpus.meanAbsDiff(means, e.means())).isLessThan(2.0);
    // Short sides below twice the target decode at full size.
    ImageDecoder exact = new ImageDecoder(DecoderOptions.defaults().withReducedDecode(200));
    assertThat(exact.decode(Files.readAllBytes(e.path())).width()).isEqualTo(500);
  }

  private void assertUnsupported(byte[] data, String... detail) {
    assertThatThrownBy(() -> decoder.decode(data))
        .isInstanceOfSatisfying(
            DecodeException.class,
            ex -> {
              assertThat(ex.reason()).isEqualTo(RejectReason.UNSUPPORTED_FORMAT);
              assertThat(ex.detail()).contains(detail);
            });
  }

  /** The file with its first image item's type (in iinf) replaced. */
  private static byte[] withItemType(byte[] heif, String type) {
    byte[] out = heif.clone();
    String text = new String(out, StandardCharsets.ISO_8859_1);
    int at = text.indexOf("hvc1");
    System.arraycopy(type.getBytes(StandardCharsets.ISO_8859_1), 0, out, at, 4);
    return out;
  }

  private static byte[] box(String type, byte[] payload) {
    byte[] out = new byte[8 + payload.length];
    int size = out.length;
    out[0] = (byte) (size >>> 24);
    out[1] = (byte) (size >>> 16);
    out[2] = (byte) (size >>> 8);
    out[3] = (byte) size;
    System.arraycopy(type.getBytes(StandardCharsets.ISO_8859_1), 0, out, 4, 4);
    System.arraycopy(payload, 0, out, 8, payload.length);
    return out;
  }
}
