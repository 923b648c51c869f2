package dev.imgsearch.core.image;

import java.util.Arrays;
import java.util.Map;

/**
 * What the primary image of a HEIF file is made of, checked for consistency but not decoded: one
 * coded item, or a grid of equal coded tiles (as phones write 12-megapixel photos: 512x512 HEVC
 * tiles), the codec, the sizes, and whether all the data needed is inside the file. Needs no native
 * code, so that the header check costs nothing.
 */
final class HeifLayout {

  /** The codecs this decoder reads, with their item type and configuration property. */
  enum Codec {
    HEVC("hvc1", "hvcC"),
    AV1("av01", "av1C");

    final String itemType;
    final String configType;

    Codec(String itemType, String configType) {
      this.itemType = itemType;
      this.configType = configType;
    }

    static Codec of(String itemType) {
      for (Codec c : values()) {
        if (c.itemType.equals(itemType)) {
          return c;
        }
      }
      return null;
    }
  }

  /** Item types other than HEVC and AV1, named for the user. */
  private static final Map<String, String> OTHER_CODINGS =
      Map.ofEntries(
          Map.entry("avc1", "H.264"),
          Map.entry("jpeg", "JPEG"),
          Map.entry("j2k1", "JPEG 2000"),
          Map.entry("vvc1", "VVC (H.266)"),
          Map.entry("evc1", "EVC"),
          Map.entry("unci", "uncompressed (ISO/IEC 23001-17)"),
          Map.entry("iden", "a derived identity image"),
          Map.entry("iovl", "an overlay of other images"),
          Map.entry("tili", "a tiled image ('tili')"),
          Map.entry("grid", "a grid of grids"),
          Map.entry("mski", "a mask"));

  final HeifContainer container;
  final HeifContainer.Item primary;
  final Codec codec;

  /** Coded items in row-major order; one for an image that is not a grid. */
  final int[] tiles;

  final int columns;
  final int rows;
  final int tileWidth;
  final int tileHeight;

  /** The size of the picture before its transforms (irot, imir, clap). */
  final int width;

  final int height;
  final boolean complete;

  private HeifLayout(HeifContainer c) throws DecodeException {
    this.container = c;
    this.primary = c.primary();
    boolean whole = c.complete(primary);
    if (primary.type().equals("grid")) {
      if (!whole) {
        throw new DecodeException(
            RejectReason.TRUNCATED, c.format() + " grid description lies past the end of the file");
      }
      HeifContainer.Grid grid = c.grid(primary);
      this.tiles = grid.tiles();
      this.columns = grid.columns();
      this.rows = grid.rows();
      this.width = grid.outputWidth();
      this.height = grid.outputHeight();
    } else {
      this.tiles = new int[] {primary.id()};
      this.columns = 1;
      this.rows = 1;
      int[] size = c.size(primary.id());
      this.width = size[0];
      this.height = size[1];
    }
    HeifContainer.Item first = c.item(tiles[0]);
    this.codec = codecOf(c, first, primary != first);
    int[] tileSize = c.size(first.id());
    this.tileWidth = tileSize[0];
    this.tileHeight = tileSize[1];
    for (int id : Arrays.stream(tiles).distinct().toArray()) {
      HeifContainer.Item tile = c.item(id);
      if (!tile.type().equals(first.type())) {
        throw c.corrupt("its grid mixes '" + first.type() + "' and '" + tile.type() + "' tiles");
      }
      if (!Arrays.equals(c.size(id), tileSize)) {
        int[] other = c.size(id);
        throw c.corrupt(
            "its grid mixes tiles of "
                + tileWidth
                + "x"
                + tileHeight
                + " and "
                + other[0]
                + "x"
                + other[1]);
      }
      if (c.property(id, codec.configType) == null) {
        throw c.corrupt(
            "item " + id + " has no " + codec.configType + " (decoder configuration) property");
      }
      whole &= c.complete(tile);
    }
    if ((long) columns * tileWidth < width || (long) rows * tileHeight < height) {
      throw c.corrupt(
          "its "
              + columns
              + "x"
              + rows
              + " tiles of "
              + tileWidth
              + "x"
              + tileHeight
              + " do not cover its "
              + width
              + "x"
              + height
              + " picture");
    }
    this.complete = whole && c.boxesComplete();
  }

  static HeifLayout of(byte[] data, ImageFormat format) throws DecodeException {
    return new HeifLayout(HeifContainer.parse(data, format));
  }

  private static Codec codecOf(HeifContainer c, HeifContainer.Item item, boolean inGrid)
      throws DecodeException {
    Codec codec = Codec.of(item.type());
    if (codec != null) {
      return codec;
    }
    String name = OTHER_CODINGS.get(item.type());
    String what = name != null ? name + " ('" + item.type() + "')" : "'" + item.type() + "'";
    throw c.unsupported(
        "its primary image"
            + (inGrid ? " is a grid of items coded as " : " is coded as ")
            + what
            + "; HEVC (HEIC) and AV1 (AVIF) items and grids of them are read",
        null);
  }

  /** The header, named by codec: AVIF for AV1, HEIF for HEVC, whatever the brand says. */
  ImageHeader header() {
    ImageFormat format = codec == Codec.AV1 ? ImageFormat.AVIF : ImageFormat.HEIF;
    return new ImageHeader(format, width, height, complete);
  }

  /** Pixels the codec produces: every tile at its full size, the overhang included. */
  long decodedPixels() {
    return (long) tiles.length * tileWidth * tileHeight;
  }
}
