package dev.imgsearch.core.video;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * How many bytes a video's container says the file has, from its top-level chunk sizes. A file
 * shorter than that was cut off. FFmpeg cannot always tell: for an AVI without its index it
 * estimates the length from the bytes it finds, so a truncated AVI looks complete to it.
 *
 * <p>Reads only the chunk headers (a few bytes per top-level chunk), never the data.
 */
final class ContainerSize {

  /** Unknown: not RIFF or ISO BMFF, or a chunk that runs "to the end of the file". */
  static final long UNKNOWN = -1;

  private ContainerSize() {}

  static long declaredBytes(Path file) throws IOException {
    try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
      long size = ch.size();
      ByteBuffer head = read(ch, 0, 12);
      if (head == null) {
        return UNKNOWN;
      }
      if (tag(head, 0).equals("RIFF")) {
        return riffEnd(ch, size);
      }
      if (tag(head, 4).equals("ftyp")) {
        return isoBmffEnd(ch, size);
      }
      return UNKNOWN;
    }
  }

  /** RIFF chunks one after another (an OpenDML AVI over 1 GB adds "RIFF AVIX" chunks). */
  private static long riffEnd(FileChannel ch, long size) throws IOException {
    long pos = 0;
    while (pos + 8 <= size) {
      ByteBuffer h = read(ch, pos, 8);
      if (h == null || !tag(h, 0).equals("RIFF")) {
        break;
      }
      long chunk = h.order(ByteOrder.LITTLE_ENDIAN).getInt(4) & 0xffffffffL;
      pos += 8 + chunk + (chunk & 1);
    }
    return pos;
  }

  /** ISO base media (MP4, MOV): boxes of 32-bit size, 1 = 64-bit size follows, 0 = to the end. */
  private static long isoBmffEnd(FileChannel ch, long size) throws IOException {
    long pos = 0;
    while (pos + 8 <= size) {
      ByteBuffer h = read(ch, pos, 16);
      if (h == null) {
        break;
      }
      long box = h.order(ByteOrder.BIG_ENDIAN).getInt(0) & 0xffffffffL;
      if (box == 1) {
        if (h.limit() < 16) {
          return pos + 16;
        }
        box = h.getLong(8);
      } else if (box == 0) {
        return UNKNOWN;
      }
      if (box < 8) {
        return UNKNOWN; // not a box structure we understand; leave it to FFmpeg
      }
      pos += box;
    }
    return pos;
  }

  private static ByteBuffer read(FileChannel ch, long pos, int n) throws IOException {
    ByteBuffer buf = ByteBuffer.allocate(n);
    while (buf.hasRemaining()) {
      int r = ch.read(buf, pos + buf.position());
      if (r < 0) {
        break;
      }
    }
    if (buf.position() < 8) {
      return null;
    }
    buf.flip();
    return buf;
  }

  private static String tag(ByteBuffer b, int at) {
    StringBuilder s = new StringBuilder(4);
    for (int i = 0; i < 4; i++) {
      s.append((char) (b.get(at + i) & 0xff));
    }
    return s.toString();
  }
}
