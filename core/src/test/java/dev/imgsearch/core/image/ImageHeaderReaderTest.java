package dev.imgsearch.core.image;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** Header parsing on hand-made byte sequences; real files are covered by ImageDecoderTest. */
class ImageHeaderReaderTest {

  @Test
  void sniffsFormatsThatCannotBeDecodedSoTheUserIsToldWhatTheyAre() {
    assertThat(
            ImageHeaderReader.sniff(bytes(0, 0, 0, 0x1c, 'f', 't', 'y', 'p', 'a', 'v', 'i', 'f')))
        .isEqualTo(ImageFormat.AVIF);
    assertThat(
            ImageHeaderReader.sniff(bytes(0, 0, 0, 0x18, 'f', 't', 'y', 'p', 'h', 'e', 'i', 'c')))
        .isEqualTo(ImageFormat.HEIF);
    assertThat(ImageHeaderReader.sniff(bytes(0xFF, 0x0A, 0xFA))).isEqualTo(ImageFormat.JPEG_XL);
    assertThat(ImageHeaderReader.sniff(bytes('q', 'o', 'i', 'f', 0, 0, 1, 0)))
        .isEqualTo(ImageFormat.QOI);
    assertThat(
            ImageHeaderReader.sniff("<?xml version='1.0'?><svg/>".getBytes(StandardCharsets.UTF_8)))
        .isEqualTo(ImageFormat.SVG);
    assertThat(ImageHeaderReader.sniff("hello, world".getBytes(StandardCharsets.UTF_8))).isNull();
  }

  @Test
  void reasonsForBrokenHeaders() {
    assertReason(new byte[0], RejectReason.EMPTY);
    assertReason("just text".getBytes(StandardCharsets.UTF_8), RejectReason.UNKNOWN_FORMAT);
    assertReason(bytes('q', 'o', 'i', 'f', 0, 0, 1, 0), RejectReason.UNSUPPORTED_FORMAT);
    // A JPEG that stops inside its first segment.
    assertReason(bytes(0xFF, 0xD8, 0xFF, 0xE0, 0x00, 0x10, 'J', 'F'), RejectReason.TRUNCATED);
    // A JPEG whose scan starts before any frame header.
    assertReason(bytes(0xFF, 0xD8, 0xFF, 0xDA, 0x00, 0x02), RejectReason.CORRUPT);
    // A PNG signature followed by a chunk that is not IHDR.
    assertReason(
        bytes(
            0x89, 'P', 'N', 'G', 0x0D, 0x0A, 0x1A, 0x0A, 0, 0, 0, 0, 'I', 'D', 'A', 'T', 0, 0, 0,
            0),
        RejectReason.CORRUPT);
  }

  @Test
  void readsDimensionsOfEachContainer() throws DecodeException {
    // GIF logical screen 640x480, a comment extension, then a 640x480 frame.
    ImageHeader gif =
        ImageHeaderReader.read(
            bytes(
                'G', 'I', 'F', '8', '9', 'a', 0x80, 0x02, 0xE0, 0x01, 0, 0, 0, 0x21, 0xFE, 2, 'h',
                'i', 0, 0x2C, 0, 0, 0, 0, 0x80, 0x02, 0xE0, 0x01, 0));
    assertThat(gif).isEqualTo(new ImageHeader(ImageFormat.GIF, 640, 480, true));
    // BMP with a BITMAPINFOHEADER, top-down (negative height), file size larger than the data.
    byte[] bmp = new byte[54];
    bmp[0] = 'B';
    bmp[1] = 'M';
    le32(bmp, 2, 1000);
    le32(bmp, 14, 40);
    le32(bmp, 18, 300);
    le32(bmp, 22, -200);
    assertThat(ImageHeaderReader.read(bmp))
        .isEqualTo(new ImageHeader(ImageFormat.BMP, 300, 200, false));
  }

  @Test
  void aGifFrameLargerThanItsScreenCountsWithItsFullExtent() throws DecodeException {
    // Screen 32x32, no colour table; the frame at (10, 20) declares 30000x20000.
    ImageHeader gif =
        ImageHeaderReader.read(
            bytes(
                'G', 'I', 'F', '8', '9', 'a', 32, 0, 32, 0, 0, 0, 0, 0x2C, 10, 0, 20, 0, 0x30, 0x75,
                0x20, 0x4E, 0));
    assertThat(gif.width()).isEqualTo(30010);
    assertThat(gif.height()).isEqualTo(20020);
    // A GIF that ends before its first frame.
    assertReason(
        bytes('G', 'I', 'F', '8', '9', 'a', 32, 0, 32, 0, 0x80, 0), RejectReason.TRUNCATED);
  }

  private static void assertReason(byte[] data, RejectReason reason) {
    assertThatThrownBy(() -> ImageHeaderReader.read(data))
        .isInstanceOfSatisfying(
            DecodeException.class, e -> assertThat(e.reason()).isEqualTo(reason));
  }

  static byte[] bytes(int... values) {
    byte[] out = new byte[values.length];
    for (int i = 0; i < values.length; i++) {
      out[i] = (byte) values[i];
    }
    return out;
  }

  private static void le32(byte[] d, int at, int v) {
    d[at] = (byte) v;
    d[at + 1] = (byte) (v >> 8);
    d[at + 2] = (byte) (v >> 16);
    d[at + 3] = (byte) (v >> 24);
  }
}
