package dev.imgsearch.core.image;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.bytedeco.opencv.global.opencv_imgcodecs.imdecode;
import static org.bytedeco.opencv.global.opencv_imgcodecs.imencode;

import dev.imgsearch.core.testing.TestPhotos;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Random;
import java.util.zip.CRC32;
import org.bytedeco.javacpp.BytePointer;
import org.bytedeco.opencv.global.opencv_core;
import org.bytedeco.opencv.global.opencv_imgcodecs;
import org.bytedeco.opencv.global.opencv_imgproc;
import org.bytedeco.opencv.opencv_core.Mat;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Decoding real photos, the same photos re-encoded in every supported container, and broken files
 * made from them. Every failure must be a {@link DecodeException} with a specific reason.
 */
class ImageDecoderTest {

  private final ImageDecoder decoder = new ImageDecoder(DecoderOptions.defaults());
  private final byte[] jpeg = TestPhotos.named("coffee.jpg").bytes();
  private final byte[] png = TestPhotos.named("chelsea.png").bytes();

  @Test
  void decodesAJpegToRgb() throws DecodeException {
    DecodedImage image = decoder.decode(jpeg);
    assertThat(image.format()).isEqualTo(ImageFormat.JPEG);
    assertThat(image.rgb()).hasSize(image.width() * image.height() * 3);
    // OpenCV hands out BGR unless asked; the decoder must give RGB. Compare against a BGR decode.
    try (BytePointer p = new BytePointer(jpeg);
        Mat buf = new Mat(1, jpeg.length, opencv_core.CV_8UC1, p);
        Mat bgr = imdecode(buf, opencv_imgcodecs.IMREAD_COLOR_BGR)) {
      byte[] expected = new byte[3];
      bgr.ptr(0, 0).get(expected);
      assertThat(Arrays.copyOf(image.rgb(), 3))
          .containsExactly(expected[2], expected[1], expected[0]);
    }
  }

  @Test
  void appliesExifOrientation() throws DecodeException {
    // Pixels stored as 427x640 with Orientation=6: displayed (and embedded) as 640x427.
    byte[] bytes = TestPhotos.named("dandelion_exif6.jpg").bytes();
    ImageHeader stored = ImageHeaderReader.read(bytes);
    assertThat(stored.width()).isEqualTo(427);
    assertThat(stored.height()).isEqualTo(640);
    DecodedImage image = decoder.decode(bytes);
    assertThat(image.width()).isEqualTo(640);
    assertThat(image.height()).isEqualTo(427);
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        ".png",
        ".bmp",
        ".webp",
        ".tiff",
        ".gif",
        "gray.png",
        "16bit.png",
        "16bit.tiff",
        "rgba.png",
        "progressive.jpg"
      })
  void decodesEveryContainerAsTheSameEightBitRgbImage(String variant) throws DecodeException {
    DecodedImage reference = decoder.decode(png);
    byte[] encoded = reencode(png, variant);
    DecodedImage image = decoder.decode(encoded);
    assertThat(image.width()).isEqualTo(reference.width());
    assertThat(image.height()).isEqualTo(reference.height());
    assertThat(image.rgb()).hasSize(reference.rgb().length);
    double meanDiff = meanAbsDiff(image.rgb(), reference.rgb());
    switch (variant) {
      // Lossless containers and bit depths must give exactly the same 8-bit pixels.
      case ".png", ".bmp", ".tiff", "16bit.png", "16bit.tiff", "rgba.png" ->
          assertThat(meanDiff).as(variant).isZero();
      // Gray replicates luma into R, G and B; GIF has a 256-colour palette; the rest are lossy.
      default -> assertThat(meanDiff).as(variant).isLessThan(variant.startsWith("gray") ? 40 : 20);
    }
  }

  /** JPEG flavours that OpenCV cannot write, made by PIL (scripts/reference/make_formats.py). */
  @ParameterizedTest
  @ValueSource(strings = {"coffee-cmyk.jpg", "coffee-gray.jpg", "coffee-progressive.jpg"})
  void decodesCmykGreyAndProgressiveJpegsToRgb(String file) throws Exception {
    DecodedImage reference = decoder.decode(jpeg);
    DecodedImage image =
        decoder.decode(java.nio.file.Files.readAllBytes(TestPhotos.resource("formats/" + file)));
    assertThat(image.width()).isEqualTo(reference.width());
    assertThat(image.height()).isEqualTo(reference.height());
    if (file.contains("gray")) {
      // Grey is replicated into R, G and B, and matches the colour photo's luma.
      byte[] px = image.rgb();
      byte[] ref = reference.rgb();
      double lumaDiff = 0;
      for (int i = 0; i < px.length; i += 3) {
        assertThat(px[i]).isEqualTo(px[i + 1]).isEqualTo(px[i + 2]);
        double luma =
            0.299 * (ref[i] & 0xFF) + 0.587 * (ref[i + 1] & 0xFF) + 0.114 * (ref[i + 2] & 0xFF);
        lumaDiff += Math.abs((px[i] & 0xFF) - luma);
      }
      assertThat(lumaDiff / (px.length / 3)).as(file).isLessThan(4);
    } else {
      // Re-encoding moves pixels a little; a wrong CMYK inversion would move them a lot.
      assertThat(meanAbsDiff(image.rgb(), reference.rgb())).as(file).isLessThan(12);
    }
  }

  @Test
  void emptyFile() {
    assertReason(new byte[0], RejectReason.EMPTY);
  }

  @Test
  void truncatedJpeg() {
    assertReason(Arrays.copyOf(jpeg, jpeg.length * 6 / 10), RejectReason.TRUNCATED);
  }

  @Test
  void truncatedPngIsRefusedEvenThoughOpenCvDecodesItPartly() {
    assertReason(Arrays.copyOf(png, png.length / 2), RejectReason.TRUNCATED);
  }

  @Test
  void randomBytesNamedJpg() {
    byte[] noise = new byte[4096];
    new Random(1).nextBytes(noise);
    noise[0] = 0x12; // not accidentally a magic number
    assertReason(noise, RejectReason.UNKNOWN_FORMAT);
  }

  @Test
  void textFileNamedPng() {
    assertReason(
        "<html>not an image</html>".getBytes(StandardCharsets.UTF_8), RejectReason.UNKNOWN_FORMAT);
  }

  @Test
  void pngWithACorruptDataChunk() {
    byte[] broken = png.clone();
    int idat = indexOf(broken, "IDAT".getBytes(StandardCharsets.US_ASCII));
    // Scramble the compressed stream but keep the file's structure and its IEND.
    Random random = new Random(3);
    for (int i = idat + 8; i < idat + 4000; i++) {
      broken[i] = (byte) random.nextInt();
    }
    assertReason(broken, RejectReason.CORRUPT);
  }

  @Test
  void decompressionBombIsRefusedFromItsHeader() {
    byte[] bomb = png.clone();
    // IHDR declares 30000x30000; fix the chunk CRC so the header is otherwise valid.
    writeBe32(bomb, 16, 30000);
    writeBe32(bomb, 20, 30000);
    CRC32 crc = new CRC32();
    crc.update(bomb, 12, 17);
    writeBe32(bomb, 29, (int) crc.getValue());
    assertThatThrownBy(() -> decoder.decode(bomb))
        .isInstanceOfSatisfying(
            DecodeException.class,
            e -> {
              assertThat(e.reason()).isEqualTo(RejectReason.TOO_LARGE);
              assertThat(e.detail()).contains("30000x30000").contains("100000000");
            });
  }

  @Test
  void aLowerPixelLimitApplies() {
    ImageDecoder strict = new ImageDecoder(DecoderOptions.defaults().withMaxPixels(1000));
    assertThatThrownBy(() -> strict.decode(jpeg))
        .isInstanceOfSatisfying(
            DecodeException.class, e -> assertThat(e.reason()).isEqualTo(RejectReason.TOO_LARGE));
  }

  @Test
  void reducedDecodeKeepsTheShortSideAboveTheTarget() throws DecodeException {
    // A 1600x1200 JPEG: 1/4 scale keeps the short side at 300 >= 256; 1/8 would give 150.
    byte[] large = reencode(resized(png, 1600, 1200), ".jpg");
    ImageDecoder fast = new ImageDecoder(DecoderOptions.defaults().withReducedDecode(256));
    DecodedImage image = fast.decode(large);
    assertThat(image.width()).isEqualTo(400);
    assertThat(image.height()).isEqualTo(300);
    assertThat(image.sourceWidth()).isEqualTo(1600);
    assertThat(image.sourceHeight()).isEqualTo(1200);
  }

  private void assertReason(byte[] data, RejectReason reason) {
    assertThatThrownBy(() -> decoder.decode(data))
        .isInstanceOfSatisfying(
            DecodeException.class, e -> assertThat(e.reason()).isEqualTo(reason));
  }

  /** Re-encodes a photo with OpenCV into another container or pixel format. */
  static byte[] reencode(byte[] source, String variant) {
    try (BytePointer p = new BytePointer(source);
        Mat buf = new Mat(1, source.length, opencv_core.CV_8UC1, p);
        Mat bgr = imdecode(buf, opencv_imgcodecs.IMREAD_COLOR_BGR);
        Mat converted = new Mat()) {
      String ext = variant.substring(variant.lastIndexOf('.'));
      int[] params = new int[0];
      switch (variant) {
        case "gray.png" -> opencv_imgproc.cvtColor(bgr, converted, opencv_imgproc.COLOR_BGR2GRAY);
        case "16bit.png", "16bit.tiff" -> bgr.convertTo(converted, opencv_core.CV_16UC3, 257.0, 0);
        case "rgba.png" -> opencv_imgproc.cvtColor(bgr, converted, opencv_imgproc.COLOR_BGR2BGRA);
        case "progressive.jpg" -> {
          bgr.copyTo(converted);
          params =
              new int[] {
                opencv_imgcodecs.IMWRITE_JPEG_PROGRESSIVE,
                1,
                opencv_imgcodecs.IMWRITE_JPEG_QUALITY,
                95
              };
        }
        default -> bgr.copyTo(converted);
      }
      try (BytePointer out = new BytePointer()) {
        if (!imencode(ext, converted, out, new org.bytedeco.javacpp.IntPointer(params))) {
          throw new IllegalStateException("OpenCV cannot encode " + variant);
        }
        byte[] bytes = new byte[(int) out.limit()];
        out.get(bytes);
        return bytes;
      }
    }
  }

  static byte[] resized(byte[] source, int width, int height) {
    try (BytePointer p = new BytePointer(source);
        Mat buf = new Mat(1, source.length, opencv_core.CV_8UC1, p);
        Mat bgr = imdecode(buf, opencv_imgcodecs.IMREAD_COLOR_BGR);
        Mat out = new Mat()) {
      opencv_imgproc.resize(bgr, out, new org.bytedeco.opencv.opencv_core.Size(width, height));
      try (BytePointer png = new BytePointer()) {
        imencode(".png", out, png);
        byte[] bytes = new byte[(int) png.limit()];
        png.get(bytes);
        return bytes;
      }
    }
  }

  private static double meanAbsDiff(byte[] a, byte[] b) {
    long sum = 0;
    for (int i = 0; i < a.length; i++) {
      sum += Math.abs((a[i] & 0xFF) - (b[i] & 0xFF));
    }
    return (double) sum / a.length;
  }

  private static int indexOf(byte[] data, byte[] pattern) {
    outer:
    for (int i = 0; i <= data.length - pattern.length; i++) {
      for (int j = 0; j < pattern.length; j++) {
        if (data[i + j] != pattern[j]) {
          continue outer;
        }
      }
      return i;
    }
    throw new IllegalArgumentException("pattern not found");
  }

  private static void writeBe32(byte[] d, int at, int v) {
    d[at] = (byte) (v >>> 24);
    d[at + 1] = (byte) (v >>> 16);
    d[at + 2] = (byte) (v >>> 8);
    d[at + 3] = (byte) v;
  }
}
