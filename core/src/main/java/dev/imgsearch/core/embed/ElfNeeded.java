package dev.imgsearch.core.embed;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;

/**
 * The shared libraries an ELF library names as {@code DT_NEEDED}, read from its dynamic section
 * (what {@code readelf -d} prints), without loading it. Only 64-bit little-endian files (x86-64,
 * aarch64), the platforms ONNX Runtime's CUDA provider is built for; only the headers and the two
 * small sections are read, so a 500 MB provider costs a few kilobytes.
 */
final class ElfNeeded {

  private static final int SHT_DYNAMIC = 6;
  private static final long DT_NEEDED = 1;

  private ElfNeeded() {}

  /**
   * @throws IOException when the file cannot be read or is not a 64-bit little-endian ELF file
   */
  static List<String> read(Path file) throws IOException {
    try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
      if (ch.size() < 64) {
        throw new IOException(file + " is not a 64-bit little-endian ELF file (too short)");
      }
      ByteBuffer head = read(ch, 0, 64);
      if (head.getInt(0) != 0x464c457f || head.get(4) != 2 || head.get(5) != 1) {
        throw new IOException(file + " is not a 64-bit little-endian ELF file");
      }
      long shoff = head.getLong(0x28);
      int shentsize = Short.toUnsignedInt(head.getShort(0x3A));
      int shnum = Short.toUnsignedInt(head.getShort(0x3C));
      if (shentsize < 64 || shnum == 0) {
        throw new IOException(file + " has no section headers");
      }
      ByteBuffer sections = read(ch, shoff, shentsize * shnum);
      for (int i = 0; i < shnum; i++) {
        int s = i * shentsize;
        if (sections.getInt(s + 4) != SHT_DYNAMIC) {
          continue;
        }
        ByteBuffer dynamic = read(ch, sections.getLong(s + 24), size(sections.getLong(s + 32)));
        int strtab = sections.getInt(s + 40) * shentsize;
        if (strtab < 0 || strtab >= shentsize * shnum) {
          throw new IOException(file + ": the dynamic section links no string table");
        }
        ByteBuffer strings =
            read(ch, sections.getLong(strtab + 24), size(sections.getLong(strtab + 32)));
        List<String> needed = new ArrayList<>();
        for (int e = 0; e + 16 <= dynamic.limit(); e += 16) {
          long tag = dynamic.getLong(e);
          if (tag == 0) {
            break;
          }
          if (tag == DT_NEEDED) {
            needed.add(string(strings, dynamic.getLong(e + 8)));
          }
        }
        return needed;
      }
      return List.of(); // statically linked
    }
  }

  private static int size(long n) throws IOException {
    if (n < 0 || n > (64 << 20)) {
      throw new IOException("an ELF section of " + n + " bytes is not a dynamic section");
    }
    return (int) n;
  }

  private static String string(ByteBuffer strings, long offset) throws IOException {
    if (offset < 0 || offset >= strings.limit()) {
      throw new IOException("an ELF string offset " + offset + " is outside the string table");
    }
    int start = (int) offset;
    int end = start;
    while (end < strings.limit() && strings.get(end) != 0) {
      end++;
    }
    byte[] bytes = new byte[end - start];
    strings.get(start, bytes);
    return new String(bytes, StandardCharsets.UTF_8);
  }

  private static ByteBuffer read(FileChannel ch, long position, int length) throws IOException {
    ByteBuffer buf = ByteBuffer.allocate(length).order(ByteOrder.LITTLE_ENDIAN);
    while (buf.hasRemaining()) {
      if (ch.read(buf, position + buf.position()) < 0) {
        throw new IOException("the ELF file ends before byte " + (position + length));
      }
    }
    return buf.flip();
  }
}
