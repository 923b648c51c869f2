package dev.imgsearch.core.image;

import java.nio.charset.StandardCharsets;

/**
 * Reads format, dimensions and completeness from the first and last bytes of a file, without
 * decoding pixels. This is what refuses a decompression bomb cheaply: OpenCV would otherwise
 * allocate the full declared image before noticing anything.
 */
public final class ImageHeaderReader {

  private ImageHeaderReader() {}

  public static ImageHeader read(byte[] data) throws DecodeException {
    if (data.length == 0) {
      throw new DecodeException(RejectReason.EMPTY, "0 bytes");
    }
    ImageFormat format = sniff(data);
    if (format == null) {
      throw new DecodeException(
          RejectReason.UNKNOWN_FORMAT, "first bytes are " + hexPrefix(data, 8));
    }
    if (!format.decodable()) {
      throw new DecodeException(RejectReason.UNSUPPORTED_FORMAT, format + " image");
    }
    try {
      return switch (format) {
        case JPEG -> jpeg(data);
        case PNG -> png(data);
        case GIF -> gif(data);
        case BMP -> bmp(data);
        case WEBP -> webp(data);
        case TIFF -> tiff(data);
        case AVIF, HEIF -> HeifLayout.of(data, format).header();
        default -> throw new IllegalStateException("no header reader for " + format);
      };
    } catch (ArrayIndexOutOfBoundsException e) {
      throw new DecodeException(
          RejectReason.TRUNCATED, format + " header ends after " + data.length + " bytes");
    }
  }

  /** The format from magic bytes, or null when nothing matches. */
  static ImageFormat sniff(byte[] d) {
    if (startsWith(d, 0, 0xFF, 0xD8, 0xFF)) {
      return ImageFormat.JPEG;
    }
    if (startsWith(d, 0, 0x89, 'P', 'N', 'G', 0x0D, 0x0A, 0x1A, 0x0A)) {
      return ImageFormat.PNG;
    }
    if (startsWith(d, 0, 'G', 'I', 'F', '8')) {
      return ImageFormat.GIF;
    }
    if (startsWith(d, 0, 'B', 'M') && d.length >= 14) {
      return ImageFormat.BMP;
    }
    if (startsWith(d, 0, 'R', 'I', 'F', 'F') && startsWith(d, 8, 'W', 'E', 'B', 'P')) {
      return ImageFormat.WEBP;
    }
    if (startsWith(d, 0, 'I', 'I', 0x2A, 0x00) || startsWith(d, 0, 'M', 'M', 0x00, 0x2A)) {
      return ImageFormat.TIFF;
    }
    if (startsWith(d, 4, 'f', 't', 'y', 'p')) {
      String brand = ascii(d, 8, 4);
      if (brand.startsWith("avi")) {
        return ImageFormat.AVIF;
      }
      if (brand.startsWith("hei") || brand.startsWith("mif") || brand.startsWith("hev")) {
        return ImageFormat.HEIF;
      }
      return null;
    }
    if (startsWith(d, 0, 0xFF, 0x0A)
        || startsWith(d, 0, 0, 0, 0, 0x0C, 'J', 'X', 'L', ' ', 0x0D, 0x0A, 0x87, 0x0A)) {
      return ImageFormat.JPEG_XL;
    }
    if (startsWith(d, 0, 0, 0, 0, 0x0C, 'j', 'P', ' ', ' ')
        || startsWith(d, 0, 0xFF, 0x4F, 0xFF, 0x51)) {
      return ImageFormat.JPEG_2000;
    }
    if (startsWith(d, 0, 'q', 'o', 'i', 'f')) {
      return ImageFormat.QOI;
    }
    if (startsWith(d, 0, '8', 'B', 'P', 'S')) {
      return ImageFormat.PSD;
    }
    String head = ascii(d, 0, Math.min(d.length, 256)).stripLeading();
    if (head.startsWith("<svg") || (head.startsWith("<?xml") && head.contains("<svg"))) {
      return ImageFormat.SVG;
    }
    return null;
  }

  private static ImageHeader jpeg(byte[] d) throws DecodeException {
    int pos = 2;
    while (true) {
      // Markers may be preceded by any number of 0xFF fill bytes.
      if (u8(d, pos) != 0xFF) {
        throw new DecodeException(
            RejectReason.CORRUPT, "JPEG marker expected at byte " + pos + ", found garbage");
      }
      int marker = u8(d, pos + 1);
      while (marker == 0xFF) {
        pos++;
        marker = u8(d, pos + 1);
      }
      pos += 2;
      if (marker == 0xD8 || marker == 0x01 || (marker >= 0xD0 && marker <= 0xD7)) {
        continue; // markers without a length
      }
      if (marker == 0xD9 || marker == 0xDA) {
        throw new DecodeException(RejectReason.CORRUPT, "JPEG has no frame header (SOF)");
      }
      int length = u16be(d, pos);
      boolean isSof =
          marker >= 0xC0 && marker <= 0xCF && marker != 0xC4 && marker != 0xC8 && marker != 0xCC;
      if (isSof) {
        int height = u16be(d, pos + 3);
        int width = u16be(d, pos + 5);
        if (width == 0 || height == 0) {
          throw new DecodeException(
              RejectReason.CORRUPT, "JPEG declares " + width + "x" + height + " pixels");
        }
        return new ImageHeader(ImageFormat.JPEG, width, height, jpegHasEnd(d));
      }
      if (length < 2) {
        throw new DecodeException(RejectReason.CORRUPT, "JPEG segment length " + length);
      }
      pos += length;
    }
  }

  /** An EOI marker near the end; some cameras append padding or a trailer after it. */
  private static boolean jpegHasEnd(byte[] d) {
    int from = Math.max(2, d.length - 64 * 1024);
    for (int i = d.length - 2; i >= from; i--) {
      if (d[i] == (byte) 0xFF && d[i + 1] == (byte) 0xD9) {
        return true;
      }
    }
    return false;
  }

  private static ImageHeader png(byte[] d) throws DecodeException {
    if (!startsWith(d, 12, 'I', 'H', 'D', 'R')) {
      throw new DecodeException(RejectReason.CORRUPT, "PNG does not start with an IHDR chunk");
    }
    int width = (int) u32be(d, 16);
    int height = (int) u32be(d, 20);
    if (width <= 0 || height <= 0) {
      throw new DecodeException(
          RejectReason.CORRUPT, "PNG declares " + width + "x" + height + " pixels");
    }
    return new ImageHeader(ImageFormat.PNG, width, height, pngHasEnd(d));
  }

  private static boolean pngHasEnd(byte[] d) {
    int from = Math.max(8, d.length - 1024);
    for (int i = d.length - 4; i >= from; i--) {
      if (d[i] == 'I' && d[i + 1] == 'E' && d[i + 2] == 'N' && d[i + 3] == 'D') {
        return true;
      }
    }
    return false;
  }

  private static ImageHeader gif(byte[] d) throws DecodeException {
    int width = u16le(d, 6);
    int height = u16le(d, 8);
    // The first frame may declare more than the logical screen (a 44-byte file can ask for
    // 65535x65535): what a decoder allocates is the larger of the two.
    int pos = 13;
    if ((u8(d, 10) & 0x80) != 0) {
      pos += 3 << ((u8(d, 10) & 0x07) + 1); // global colour table
    }
    while (true) {
      int block = u8(d, pos);
      if (block == 0x21) { // extension: label, then data sub-blocks up to a 0 length
        pos += 2;
        for (int len = u8(d, pos); len != 0; len = u8(d, pos)) {
          pos += len + 1;
        }
        pos++;
      } else if (block == 0x2C) {
        width = Math.max(width, u16le(d, pos + 1) + u16le(d, pos + 5));
        height = Math.max(height, u16le(d, pos + 3) + u16le(d, pos + 7));
        break;
      } else {
        throw new DecodeException(
            RejectReason.CORRUPT,
            String.format("GIF has no image: block 0x%02x at byte %d", block, pos));
      }
    }
    if (width == 0 || height == 0) {
      throw new DecodeException(
          RejectReason.CORRUPT, "GIF declares " + width + "x" + height + " pixels");
    }
    // Many encoders omit or pad the trailer, so its absence alone does not mean truncation.
    return new ImageHeader(ImageFormat.GIF, width, height, true);
  }

  private static ImageHeader bmp(byte[] d) throws DecodeException {
    long declaredSize = u32le(d, 2);
    long headerSize = u32le(d, 14);
    int width;
    int height;
    if (headerSize == 12) {
      width = u16le(d, 18);
      height = u16le(d, 20);
    } else if (headerSize >= 40) {
      width = (int) u32le(d, 18);
      height = Math.abs((int) u32le(d, 22)); // negative height means top-down rows
    } else {
      throw new DecodeException(
          RejectReason.CORRUPT, "BMP info header of " + headerSize + " bytes");
    }
    if (width <= 0 || height <= 0) {
      throw new DecodeException(
          RejectReason.CORRUPT, "BMP declares " + width + "x" + height + " pixels");
    }
    boolean complete = declaredSize == 0 || declaredSize <= d.length;
    return new ImageHeader(ImageFormat.BMP, width, height, complete);
  }

  private static ImageHeader webp(byte[] d) throws DecodeException {
    boolean complete = u32le(d, 4) + 8 <= d.length;
    String chunk = ascii(d, 12, 4);
    int width;
    int height;
    switch (chunk) {
      case "VP8X" -> {
        width = 1 + (u8(d, 24) | u8(d, 25) << 8 | u8(d, 26) << 16);
        height = 1 + (u8(d, 27) | u8(d, 28) << 8 | u8(d, 29) << 16);
      }
      case "VP8L" -> {
        if (u8(d, 20) != 0x2F) {
          throw new DecodeException(RejectReason.CORRUPT, "WebP lossless signature missing");
        }
        long bits = u32le(d, 21);
        width = (int) (bits & 0x3FFF) + 1;
        height = (int) ((bits >> 14) & 0x3FFF) + 1;
      }
      case "VP8 " -> {
        if (!startsWith(d, 23, 0x9D, 0x01, 0x2A)) {
          throw new DecodeException(RejectReason.CORRUPT, "WebP lossy start code missing");
        }
        width = u16le(d, 26) & 0x3FFF;
        height = u16le(d, 28) & 0x3FFF;
      }
      default -> throw new DecodeException(RejectReason.CORRUPT, "WebP chunk '" + chunk + "'");
    }
    return new ImageHeader(ImageFormat.WEBP, width, height, complete);
  }

  private static ImageHeader tiff(byte[] d) throws DecodeException {
    boolean le = d[0] == 'I';
    long ifd = le ? u32le(d, 4) : u32be(d, 4);
    if (ifd < 8 || ifd + 2 > d.length) {
      throw new DecodeException(
          RejectReason.TRUNCATED, "TIFF directory at byte " + ifd + " of " + d.length);
    }
    int entries = le ? u16le(d, (int) ifd) : u16be(d, (int) ifd);
    long width = -1;
    long height = -1;
    for (int i = 0; i < entries; i++) {
      int e = (int) ifd + 2 + 12 * i;
      int tag = le ? u16le(d, e) : u16be(d, e);
      int type = le ? u16le(d, e + 2) : u16be(d, e + 2);
      long value;
      if (type == 3) { // SHORT, left-justified in the 4-byte value field
        value = le ? u16le(d, e + 8) : u16be(d, e + 8);
      } else {
        value = le ? u32le(d, e + 8) : u32be(d, e + 8);
      }
      if (tag == 256) {
        width = value;
      } else if (tag == 257) {
        height = value;
      }
    }
    if (width <= 0 || height <= 0 || width > Integer.MAX_VALUE || height > Integer.MAX_VALUE) {
      throw new DecodeException(
          RejectReason.CORRUPT, "TIFF declares " + width + "x" + height + " pixels");
    }
    return new ImageHeader(ImageFormat.TIFF, (int) width, (int) height, true);
  }

  private static boolean startsWith(byte[] d, int offset, int... magic) {
    if (d.length < offset + magic.length) {
      return false;
    }
    for (int i = 0; i < magic.length; i++) {
      if ((d[offset + i] & 0xFF) != magic[i]) {
        return false;
      }
    }
    return true;
  }

  private static String ascii(byte[] d, int offset, int length) {
    if (d.length < offset + length) {
      return "";
    }
    return new String(d, offset, length, StandardCharsets.ISO_8859_1);
  }

  static String hexPrefix(byte[] d, int n) {
    StringBuilder sb = new StringBuilder();
    for (int i = 0; i < Math.min(n, d.length); i++) {
      if (i > 0) {
        sb.append(' ');
      }
      sb.append(String.format("%02x", d[i] & 0xFF));
    }
    return sb.toString();
  }

  private static int u8(byte[] d, int i) {
    return d[i] & 0xFF;
  }

  private static int u16be(byte[] d, int i) {
    return u8(d, i) << 8 | u8(d, i + 1);
  }

  private static int u16le(byte[] d, int i) {
    return u8(d, i) | u8(d, i + 1) << 8;
  }

  private static long u32be(byte[] d, int i) {
    return (long) u16be(d, i) << 16 | u16be(d, i + 2);
  }

  private static long u32le(byte[] d, int i) {
    return u16le(d, i) | (long) u16le(d, i + 2) << 16;
  }
}
