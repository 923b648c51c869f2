package dev.imgsearch.core.image;

import static org.bytedeco.opencv.global.opencv_core.ROTATE_180;
import static org.bytedeco.opencv.global.opencv_core.ROTATE_90_CLOCKWISE;
import static org.bytedeco.opencv.global.opencv_core.ROTATE_90_COUNTERCLOCKWISE;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.zip.DataFormatException;
import java.util.zip.Inflater;
import org.bytedeco.opencv.global.opencv_core;
import org.bytedeco.opencv.opencv_core.Mat;

/**
 * EXIF orientation for the containers whose orientation OpenCV ignores. OpenCV applies it to JPEG,
 * PNG (eXIf) and TIFF itself, but not to WebP, so a phone photo saved as WebP with Orientation=6
 * would be embedded lying on its side, unlike what torchvision's loading path ({@code
 * ImageOps.exif_transpose}) gives.
 */
final class ExifOrientation {
  static final int NORMAL = 1;

  private ExifOrientation() {}

  /** The Orientation tag (1-8) of a WebP file's EXIF chunk; 1 when there is none or it is bad. */
  static int ofWebp(byte[] d) {
    // RIFF header (12 bytes), then chunks: fourcc, little-endian size, payload padded to even.
    long pos = 12;
    while (pos + 8 <= d.length) {
      String fourcc = new String(d, (int) pos, 4, StandardCharsets.ISO_8859_1);
      long size = u32le(d, (int) pos + 4);
      long payload = pos + 8;
      if (fourcc.equals("EXIF")) {
        int end = (int) Math.min(d.length, payload + size);
        return ofTiffBlock(d, (int) payload, end);
      }
      pos = payload + size + (size & 1);
    }
    return NORMAL;
  }

  /**
   * The Orientation of a PNG that carries its EXIF the way ImageMagick writes it, hex in a text
   * chunk named "Raw profile type exif" (PIL reads it; OpenCV does not). 1 when the PNG has an eXIf
   * chunk, which OpenCV applies itself and which PIL prefers, or has no such profile.
   */
  static int ofPngTextProfile(byte[] d) {
    byte[] profile = null;
    long pos = 8;
    while (pos + 12 <= d.length) {
      long length = u32be(d, (int) pos);
      String type = new String(d, (int) pos + 4, 4, StandardCharsets.ISO_8859_1);
      long data = pos + 8;
      if (data + length > d.length) {
        break;
      }
      if (type.equals("eXIf")) {
        return NORMAL;
      }
      if (profile == null && (type.equals("tEXt") || type.equals("zTXt") || type.equals("iTXt"))) {
        profile = rawExifProfile(d, (int) data, (int) length, type);
      }
      if (type.equals("IEND")) {
        break;
      }
      pos = data + length + 4;
    }
    return profile == null ? NORMAL : ofTiffBlock(profile, 0, profile.length);
  }

  private static final byte[] RAW_EXIF_KEYWORD =
      "Raw profile type exif\0".getBytes(StandardCharsets.ISO_8859_1);

  /** The EXIF bytes of a "Raw profile type exif" text chunk, or null if it is another chunk. */
  private static byte[] rawExifProfile(byte[] d, int data, int length, String type) {
    if (length <= RAW_EXIF_KEYWORD.length
        || !Arrays.equals(
            d,
            data,
            data + RAW_EXIF_KEYWORD.length,
            RAW_EXIF_KEYWORD,
            0,
            RAW_EXIF_KEYWORD.length)) {
      return null;
    }
    int at = data + RAW_EXIF_KEYWORD.length;
    int end = data + length;
    boolean compressed;
    switch (type) {
      case "zTXt" -> {
        compressed = true;
        at++; // compression method
      }
      case "iTXt" -> {
        compressed = d[at] != 0;
        at += 2; // compression flag and method, then language and translated keyword
        for (int nul = 0; nul < 2 && at < end; at++) {
          if (d[at] == 0) {
            nul++;
          }
        }
      }
      default -> compressed = false;
    }
    if (at >= end) {
      return null;
    }
    try {
      byte[] text = Arrays.copyOfRange(d, at, end);
      if (compressed) {
        Inflater inflater = new Inflater();
        try {
          inflater.setInput(text);
          java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
          byte[] buf = new byte[8192];
          // A profile is a few kB of hex; more than 1 MB is not one.
          while (!inflater.finished() && out.size() < (1 << 20)) {
            int n = inflater.inflate(buf);
            if (n == 0 && (inflater.needsInput() || inflater.needsDictionary())) {
              break;
            }
            out.write(buf, 0, n);
          }
          text = out.toByteArray();
        } finally {
          inflater.end();
        }
      }
      return hexProfile(new String(text, StandardCharsets.ISO_8859_1));
    } catch (DataFormatException | IllegalArgumentException e) {
      return null;
    }
  }

  /** "\nexif\n LENGTH\nHEX LINES..." as ImageMagick writes it: the bytes of the hex lines. */
  private static byte[] hexProfile(String text) {
    String[] lines = text.split("\n", 4);
    if (lines.length < 4) {
      return null;
    }
    String hex = lines[3].replaceAll("\\s", "");
    return HexFormat.of()
        .parseHex(hex.length() % 2 == 0 ? hex : hex.substring(0, hex.length() - 1));
  }

  /**
   * The Orientation tag of IFD0 of a TIFF-structured EXIF block in {@code d[from, to)}, which may
   * start with the "Exif\0\0" prefix some writers keep; 1 when absent or out of range.
   */
  static int ofTiffBlock(byte[] d, int from, int to) {
    int base = from;
    if (to - base >= 6 && d[base] == 'E' && d[base + 1] == 'x' && d[base + 4] == 0) {
      base += 6;
    }
    if (to - base < 8) {
      return NORMAL;
    }
    boolean le;
    if (d[base] == 'I' && d[base + 1] == 'I') {
      le = true;
    } else if (d[base] == 'M' && d[base + 1] == 'M') {
      le = false;
    } else {
      return NORMAL;
    }
    long ifd = base + u32(d, base + 4, le);
    if (ifd + 2 > to) {
      return NORMAL;
    }
    int entries = u16(d, (int) ifd, le);
    for (int i = 0; i < entries; i++) {
      int e = (int) ifd + 2 + 12 * i;
      if (e + 12 > to) {
        return NORMAL;
      }
      if (u16(d, e, le) == 0x0112) {
        int value = u16(d, e + 8, le);
        return value >= 1 && value <= 8 ? value : NORMAL;
      }
    }
    return NORMAL;
  }

  /**
   * Turns stored pixels upright as EXIF orientation {@code o} asks, the way PIL's exif_transpose
   * does. Returns {@code mat} itself for orientation 1, otherwise a new Mat.
   */
  static Mat apply(Mat mat, int o) {
    if (o == NORMAL) {
      return mat;
    }
    Mat out = new Mat();
    switch (o) {
      case 2 -> opencv_core.flip(mat, out, 1);
      case 3 -> opencv_core.rotate(mat, out, ROTATE_180);
      case 4 -> opencv_core.flip(mat, out, 0);
      case 5 -> opencv_core.transpose(mat, out);
      case 6 -> opencv_core.rotate(mat, out, ROTATE_90_CLOCKWISE);
      case 7 -> {
        // Transverse: mirrored across the anti-diagonal.
        try (Mat t = new Mat()) {
          opencv_core.transpose(mat, t);
          opencv_core.flip(t, out, -1);
        }
      }
      case 8 -> opencv_core.rotate(mat, out, ROTATE_90_COUNTERCLOCKWISE);
      default -> throw new IllegalArgumentException("EXIF orientation " + o);
    }
    return out;
  }

  private static int u16(byte[] d, int i, boolean le) {
    int a = d[i] & 0xFF;
    int b = d[i + 1] & 0xFF;
    return le ? a | b << 8 : a << 8 | b;
  }

  private static long u32(byte[] d, int i, boolean le) {
    long lo = u16(d, le ? i : i + 2, le);
    long hi = u16(d, le ? i + 2 : i, le);
    return hi << 16 | lo;
  }

  private static long u32be(byte[] d, int i) {
    return (long) (d[i] & 0xFF) << 24
        | (d[i + 1] & 0xFF) << 16
        | (d[i + 2] & 0xFF) << 8
        | (d[i + 3] & 0xFF);
  }

  private static long u32le(byte[] d, int i) {
    return (d[i] & 0xFF)
        | (d[i + 1] & 0xFF) << 8
        | (d[i + 2] & 0xFF) << 16
        | (long) (d[i + 3] & 0xFF) << 24;
  }
}
