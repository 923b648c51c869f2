package dev.imgsearch.core.image;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The still-image structure of a HEIF file (ISO/IEC 23008-12: HEIC, AVIF), read from its boxes
 * without decoding anything: which item is the primary image, how it is coded (one HEVC or AV1
 * item, or a grid of them), its declared size and properties (ispe, hvcC/av1C, colr, irot, imir,
 * clap), and where each item's data lies. This is what lets the decoder refuse a decompression bomb
 * or a truncated file before any codec runs.
 *
 * <p>Every read is bounds-checked: a box that runs past the end of the file means the file was cut
 * ({@link RejectReason#TRUNCATED}); sizes that contradict each other inside a complete box mean
 * damage ({@link RejectReason#CORRUPT}).
 */
final class HeifContainer {

  /** Grids larger than this many tiles are refused as damaged (phones write tens). */
  static final int MAX_TILES = 4096;

  /** A box's type and the byte range of its payload, after the header. */
  record Box(String type, int start, int end) {}

  /** One property associated with an item, in association order. */
  record Property(Box box, boolean essential) {}

  /** A byte range of an item's data, in the file or in the idat box. */
  record Extent(long offset, long length) {}

  /** An item: its type ("hvc1", "av01", "grid", "Exif", ...), and where its data is. */
  record Item(int id, String type, boolean hidden, int construction, List<Extent> extents) {}

  /**
   * A grid's layout (ISO/IEC 23008-12, 6.6.2.3): rows x columns tiles of equal size, cropped to the
   * output size at the right and bottom.
   */
  record Grid(int rows, int columns, int outputWidth, int outputHeight, int[] tiles) {}

  private final byte[] d;
  private final ImageFormat format;
  private final Map<Integer, Item> items = new HashMap<>();
  private final Map<Integer, List<Property>> properties = new HashMap<>();
  private final Map<String, Map<Integer, int[]>> references = new HashMap<>();
  private final int primary;
  private Box idat;
  private boolean boxesComplete;

  private HeifContainer(byte[] d, ImageFormat format) throws DecodeException {
    this.d = d;
    this.format = format;
    Box meta = topLevelMeta();
    int pitm = -1;
    Box iloc = null;
    Box iinf = null;
    Box iprp = null;
    Box iref = null;
    // meta is a full box: 4 bytes of version and flags before its children.
    for (Box b : children(meta, 4)) {
      switch (b.type()) {
        case "hdlr" -> {
          String handler = ascii(b.start() + 8, 4, b);
          if (!handler.equals("pict")) {
            throw unsupported(
                "its meta box holds '" + handler + "' items, not pictures ('pict')", null);
          }
        }
        case "pitm" -> pitm = u8(b.start(), b) == 0 ? u16(b.start() + 4, b) : s32(b.start() + 4, b);
        case "iloc" -> iloc = b;
        case "iinf" -> iinf = b;
        case "iprp" -> iprp = b;
        case "iref" -> iref = b;
        case "idat" -> idat = b;
        default -> {
          // dinf, grpl, ... carry nothing a still picture needs.
        }
      }
    }
    if (pitm < 0) {
      throw corrupt("it has no primary item (pitm box)");
    }
    if (iinf == null || iloc == null) {
      throw corrupt("its meta box lacks " + (iinf == null ? "iinf" : "iloc"));
    }
    readItemInfo(iinf);
    readLocations(iloc);
    if (iprp != null) {
      readProperties(iprp);
    }
    if (iref != null) {
      readReferences(iref);
    }
    if (!items.containsKey(pitm)) {
      throw corrupt("its primary item " + pitm + " is not listed in iinf");
    }
    this.primary = pitm;
  }

  /** Parses the boxes of a file that sniffed as HEIF or AVIF. */
  static HeifContainer parse(byte[] data, ImageFormat format) throws DecodeException {
    return new HeifContainer(data, format);
  }

  ImageFormat format() {
    return format;
  }

  /** The whole file. */
  byte[] bytes() {
    return d;
  }

  Item primary() {
    return items.get(primary);
  }

  Item item(int id) throws DecodeException {
    Item item = items.get(id);
    if (item == null) {
      throw corrupt("it refers to item " + id + ", which iinf does not list");
    }
    return item;
  }

  /** The properties associated with an item, in the order ipma lists them. */
  List<Property> properties(int id) {
    return properties.getOrDefault(id, List.of());
  }

  /** The first property of the given type associated with an item, or null. */
  Box property(int id, String type) {
    for (Property p : properties(id)) {
      if (p.box().type().equals(type)) {
        return p.box();
      }
    }
    return null;
  }

  /** The items an item refers to with the given reference type (dimg, thmb, auxl, cdsc). */
  int[] references(String type, int from) {
    return references.getOrDefault(type, Map.of()).getOrDefault(from, new int[0]);
  }

  /** The declared (stored, untransformed) size of an image item: its ispe property. */
  int[] size(int id) throws DecodeException {
    Box ispe = property(id, "ispe");
    if (ispe == null) {
      throw corrupt("item " + id + " has no ispe (image size) property");
    }
    int width = s32(ispe.start() + 4, ispe);
    int height = s32(ispe.start() + 8, ispe);
    if (width <= 0 || height <= 0) {
      throw corrupt("item " + id + " declares " + width + "x" + height + " pixels");
    }
    return new int[] {width, height};
  }

  /** A grid item's layout, with its tiles in row-major order. */
  Grid grid(Item item) throws DecodeException {
    byte[] g = data(item);
    if (g.length < 8) {
      throw corrupt("grid item " + item.id() + " has " + g.length + " bytes, fewer than 8");
    }
    int rows = (g[2] & 0xFF) + 1;
    int columns = (g[3] & 0xFF) + 1;
    boolean large = (g[1] & 1) != 0;
    if (large && g.length < 12) {
      throw corrupt("grid item " + item.id() + " has 32-bit sizes in " + g.length + " bytes");
    }
    long width = large ? u32be(g, 4) : (g[4] & 0xFF) << 8 | (g[5] & 0xFF);
    long height = large ? u32be(g, 8) : (g[6] & 0xFF) << 8 | (g[7] & 0xFF);
    if (width <= 0 || height <= 0 || width > Integer.MAX_VALUE || height > Integer.MAX_VALUE) {
      throw corrupt("grid item " + item.id() + " declares " + width + "x" + height + " pixels");
    }
    int[] tiles = references("dimg", item.id());
    if (tiles.length != rows * columns) {
      throw corrupt(
          "its "
              + rows
              + "x"
              + columns
              + " grid refers to "
              + tiles.length
              + " tiles instead of "
              + rows * columns);
    }
    if (tiles.length > MAX_TILES) {
      throw corrupt("its grid has " + tiles.length + " tiles, more than " + MAX_TILES);
    }
    return new Grid(rows, columns, (int) width, (int) height, tiles);
  }

  /** Whether every top-level box ends inside the file. */
  boolean boxesComplete() {
    return boxesComplete;
  }

  /**
   * Whether every byte of the item lies inside the file. A file cut short keeps its meta box
   * (written first) but loses the coded data at its end.
   */
  boolean complete(Item item) throws DecodeException {
    for (Extent e : item.extents()) {
      if (item.construction() == 0 && e.offset() + e.length() > d.length) {
        return false;
      }
    }
    return true;
  }

  /** The data of an item, its extents concatenated. */
  byte[] data(Item item) throws DecodeException {
    long total = 0;
    for (Extent e : item.extents()) {
      total += e.length();
    }
    if (total > d.length) {
      throw item.construction() == 0 && !complete(item)
          ? truncated(item)
          : corrupt("item " + item.id() + " declares " + total + " bytes of data");
    }
    byte[] out = new byte[(int) total];
    int at = 0;
    for (Extent e : item.extents()) {
      long from;
      long limit;
      if (item.construction() == 1) {
        if (idat == null) {
          throw corrupt("item " + item.id() + " lies in an idat box the file does not have");
        }
        from = idat.start() + e.offset();
        limit = idat.end();
      } else {
        from = e.offset();
        limit = d.length;
      }
      if (from < 0 || from + e.length() > limit) {
        throw item.construction() == 0
            ? truncated(item)
            : corrupt("item " + item.id() + " runs past the end of its idat box");
      }
      System.arraycopy(d, (int) from, out, at, (int) e.length());
      at += (int) e.length();
    }
    return out;
  }

  private DecodeException truncated(Item item) {
    long end = 0;
    for (Extent e : item.extents()) {
      end = Math.max(end, e.offset() + e.length());
    }
    return new DecodeException(
        RejectReason.TRUNCATED,
        format
            + " item "
            + item.id()
            + " ("
            + item.type()
            + ") ends at byte "
            + end
            + ", the file has "
            + d.length);
  }

  // ---------------------------------------------------------------------------------------
  // Boxes

  /** The meta box among the top-level boxes; TRUNCATED if the file ends before it is whole. */
  private Box topLevelMeta() throws DecodeException {
    long pos = 0;
    boolean cut = false;
    boolean sequence = false;
    Box meta = null;
    while (pos < d.length) {
      if (pos + 8 > d.length) {
        cut = true;
        break;
      }
      long size = u32be(d, (int) pos);
      String type = new String(d, (int) pos + 4, 4, StandardCharsets.ISO_8859_1);
      int header = 8;
      if (size == 1) {
        if (pos + 16 > d.length) {
          cut = true;
          break;
        }
        size = u32be(d, (int) pos + 8) << 32 | u32be(d, (int) pos + 12);
        header = 16;
      } else if (size == 0) {
        size = d.length - pos;
      }
      if (size < header) {
        throw corrupt("box '" + printable(type) + "' at byte " + pos + " has size " + size);
      }
      if (type.equals("meta") && meta == null) {
        if (pos + size > d.length) {
          throw new DecodeException(
              RejectReason.TRUNCATED,
              format + " meta box ends at byte " + (pos + size) + ", the file has " + d.length);
        }
        meta = new Box(type, (int) pos + header, (int) (pos + size));
      }
      // An image sequence (avis, msf1) keeps its frames in a moov track; a still item may
      // still follow in a meta box.
      sequence |= type.equals("moov");
      if (pos + size > d.length) {
        cut = true;
        break;
      }
      pos += size;
    }
    // A box that runs past the end: the file was cut, even if what the picture needs is there
    // (a copy in progress reads as TRUNCATED until it is whole, as for the other formats).
    boxesComplete = !cut;
    if (meta != null) {
      return meta;
    }
    if (cut) {
      throw new DecodeException(
          RejectReason.TRUNCATED,
          format + " ends at byte " + d.length + " inside a box, before its meta box");
    }
    if (sequence) {
      throw unsupported("it is an image sequence (a moov track) without a still image item", null);
    }
    // Every HEIF file has a meta box, mostly right after ftyp: a file cut at a box boundary
    // before it cannot be told from one that never had it, and the first is far more common.
    throw new DecodeException(
        RejectReason.TRUNCATED, format + " ends after " + d.length + " bytes without its meta box");
  }

  /** The child boxes of a box, from {@code skip} bytes into its payload. */
  private List<Box> children(Box parent, int skip) throws DecodeException {
    List<Box> out = new ArrayList<>();
    long pos = parent.start() + skip;
    while (pos + 8 <= parent.end()) {
      long size = u32be(d, (int) pos);
      String type = new String(d, (int) pos + 4, 4, StandardCharsets.ISO_8859_1);
      int header = 8;
      if (size == 1) {
        if (pos + 16 > parent.end()) {
          throw corrupt("box '" + printable(type) + "' has a cut 64-bit size");
        }
        size = u32be(d, (int) pos + 8) << 32 | u32be(d, (int) pos + 12);
        header = 16;
      } else if (size == 0) {
        size = parent.end() - pos;
      }
      if (size < header || pos + size > parent.end()) {
        throw corrupt(
            "box '"
                + printable(type)
                + "' of "
                + size
                + " bytes does not fit in its parent '"
                + parent.type()
                + "'");
      }
      out.add(new Box(type, (int) pos + header, (int) (pos + size)));
      pos += size;
    }
    return out;
  }

  private void readItemInfo(Box iinf) throws DecodeException {
    int version = u8(iinf.start(), iinf);
    int skip = version == 0 ? 6 : 8;
    for (Box infe : children(iinf, skip)) {
      if (!infe.type().equals("infe")) {
        continue;
      }
      int v = u8(infe.start(), infe);
      int flags = u24(infe.start() + 1, infe);
      if (v < 2) {
        // Versions 0 and 1 predate item types: such an item is no image this decoder knows.
        int id = u16(infe.start() + 4, infe);
        items.putIfAbsent(id, new Item(id, "", false, 0, List.of()));
        continue;
      }
      int at = infe.start() + 4;
      int id = v == 2 ? u16(at, infe) : s32(at, infe);
      at += v == 2 ? 2 : 4;
      at += 2; // item_protection_index
      String type = ascii(at, 4, infe);
      items.put(id, new Item(id, type, (flags & 1) != 0, 0, List.of()));
    }
  }

  private void readLocations(Box iloc) throws DecodeException {
    int version = u8(iloc.start(), iloc);
    if (version > 2) {
      throw corrupt("iloc version " + version);
    }
    int at = iloc.start() + 4;
    int offsetSize = u8(at, iloc) >> 4;
    int lengthSize = u8(at, iloc) & 15;
    int baseSize = u8(at + 1, iloc) >> 4;
    int indexSize = version >= 1 ? u8(at + 1, iloc) & 15 : 0;
    at += 2;
    for (int size : new int[] {offsetSize, lengthSize, baseSize, indexSize}) {
      if (size != 0 && size != 4 && size != 8) {
        throw corrupt("iloc field size " + size);
      }
    }
    long count = version < 2 ? u16(at, iloc) : u32(at, iloc);
    at += version < 2 ? 2 : 4;
    for (long i = 0; i < count; i++) {
      int id = version < 2 ? u16(at, iloc) : s32(at, iloc);
      at += version < 2 ? 2 : 4;
      int construction = 0;
      if (version >= 1) {
        construction = u16(at, iloc) & 15;
        at += 2;
      }
      at += 2; // data_reference_index
      long base = uint(at, baseSize, iloc);
      at += baseSize;
      int extentCount = u16(at, iloc);
      at += 2;
      List<Extent> extents = new ArrayList<>(extentCount);
      for (int e = 0; e < extentCount; e++) {
        at += indexSize;
        long offset = uint(at, offsetSize, iloc);
        at += offsetSize;
        long length = uint(at, lengthSize, iloc);
        at += lengthSize;
        if (offset < 0 || length < 0 || base < 0) {
          throw corrupt("item " + id + " has an extent beyond 2^63 bytes");
        }
        if (length == 0) {
          // Zero means "to the end": of the file, or of the idat box.
          long end = construction == 1 && idat != null ? idat.end() - idat.start() : d.length;
          length = Math.max(0, end - base - offset);
        }
        extents.add(new Extent(base + offset, length));
      }
      Item known = items.get(id);
      if (known != null) {
        items.put(id, new Item(id, known.type(), known.hidden(), construction, extents));
      }
    }
  }

  private void readProperties(Box iprp) throws DecodeException {
    List<Box> ipco = List.of();
    List<Box> ipmas = new ArrayList<>();
    for (Box b : children(iprp, 0)) {
      if (b.type().equals("ipco")) {
        ipco = children(b, 0);
      } else if (b.type().equals("ipma")) {
        ipmas.add(b);
      }
    }
    for (Box ipma : ipmas) {
      int version = u8(ipma.start(), ipma);
      boolean wideIndex = (u24(ipma.start() + 1, ipma) & 1) != 0;
      int at = ipma.start() + 4;
      long count = u32(at, ipma);
      at += 4;
      for (long i = 0; i < count; i++) {
        int id = version < 1 ? u16(at, ipma) : s32(at, ipma);
        at += version < 1 ? 2 : 4;
        int n = u8(at, ipma);
        at++;
        List<Property> list = properties.computeIfAbsent(id, k -> new ArrayList<>());
        for (int k = 0; k < n; k++) {
          int value = wideIndex ? u16(at, ipma) : u8(at, ipma);
          at += wideIndex ? 2 : 1;
          boolean essential = (value & (wideIndex ? 0x8000 : 0x80)) != 0;
          int index = value & (wideIndex ? 0x7FFF : 0x7F);
          if (index == 0) {
            continue; // "no property"
          }
          if (index > ipco.size()) {
            throw corrupt(
                "item " + id + " is associated with property " + index + " of " + ipco.size());
          }
          list.add(new Property(ipco.get(index - 1), essential));
        }
      }
    }
  }

  private void readReferences(Box iref) throws DecodeException {
    int version = u8(iref.start(), iref);
    int idSize = version == 0 ? 2 : 4;
    for (Box ref : children(iref, 4)) {
      int at = ref.start();
      int from = idSize == 2 ? u16(at, ref) : s32(at, ref);
      int n = u16(at + idSize, ref);
      at += idSize + 2;
      int[] to = new int[n];
      for (int i = 0; i < n; i++) {
        to[i] = idSize == 2 ? u16(at, ref) : s32(at, ref);
        at += idSize;
      }
      references.computeIfAbsent(ref.type(), k -> new HashMap<>()).putIfAbsent(from, to);
    }
  }

  // ---------------------------------------------------------------------------------------
  // Bounds-checked reads inside a box

  int u8(int at, Box in) throws DecodeException {
    check(at, 1, in);
    return d[at] & 0xFF;
  }

  int u16(int at, Box in) throws DecodeException {
    check(at, 2, in);
    return (d[at] & 0xFF) << 8 | (d[at + 1] & 0xFF);
  }

  private int u24(int at, Box in) throws DecodeException {
    check(at, 3, in);
    return (d[at] & 0xFF) << 16 | (d[at + 1] & 0xFF) << 8 | (d[at + 2] & 0xFF);
  }

  long u32(int at, Box in) throws DecodeException {
    check(at, 4, in);
    return u32be(d, at);
  }

  /** A 32-bit field that must fit an int (item IDs, sizes). */
  int s32(int at, Box in) throws DecodeException {
    long v = u32(at, in);
    if (v > Integer.MAX_VALUE) {
      throw corrupt("'" + in.type() + "' holds the value " + v);
    }
    return (int) v;
  }

  private long uint(int at, int size, Box in) throws DecodeException {
    return switch (size) {
      case 0 -> 0;
      case 4 -> u32(at, in);
      default -> {
        check(at, 8, in);
        yield u32be(d, at) << 32 | u32be(d, at + 4);
      }
    };
  }

  private String ascii(int at, int n, Box in) throws DecodeException {
    check(at, n, in);
    return new String(d, at, n, StandardCharsets.ISO_8859_1);
  }

  private void check(int at, int n, Box in) throws DecodeException {
    if (at < in.start() || (long) at + n > in.end()) {
      throw corrupt("box '" + printable(in.type()) + "' is too short for its fields");
    }
  }

  DecodeException corrupt(String why) {
    return new DecodeException(RejectReason.CORRUPT, format + " container is damaged: " + why);
  }

  DecodeException unsupported(String why, Throwable cause) {
    return new DecodeException(
        RejectReason.UNSUPPORTED_FORMAT, format + " file cannot be decoded here: " + why, cause);
  }

  private static String printable(String type) {
    StringBuilder sb = new StringBuilder();
    for (char c : type.toCharArray()) {
      sb.append(c >= 0x20 && c < 0x7F ? c : '?');
    }
    return sb.toString();
  }

  static long u32be(byte[] d, int i) {
    return (long) (d[i] & 0xFF) << 24
        | (d[i + 1] & 0xFF) << 16
        | (d[i + 2] & 0xFF) << 8
        | (d[i + 3] & 0xFF);
  }
}
