package dev.imgsearch.core.image;

/**
 * How images are decoded.
 *
 * @param maxPixels refuse images whose header declares more pixels than this
 * @param reducedDecodeShortSide 0 for an exact decode; otherwise JPEGs are decoded at 1/2, 1/4 or
 *     1/8 scale (libjpeg DCT scaling) as long as the short side stays at least this long. The
 *     default, {@value #DEFAULT_REDUCED_DECODE_SHORT_SIDE}, keeps at least twice the resize target,
 *     where the drift from torchvision is measured at cosine 0.9999 (README, Performance); smaller
 *     JPEGs decode exactly. 256 decodes 2.7x faster still, with more drift.
 */
public record DecoderOptions(long maxPixels, int reducedDecodeShortSide)
    implements java.io.Serializable {

  public static final long DEFAULT_MAX_PIXELS = 100_000_000L;

  public static final int DEFAULT_REDUCED_DECODE_SHORT_SIDE = 512;

  public DecoderOptions {
    if (maxPixels <= 0) {
      throw new IllegalArgumentException("maxPixels must be positive, got " + maxPixels);
    }
    if (reducedDecodeShortSide < 0) {
      throw new IllegalArgumentException(
          "reducedDecodeShortSide must be 0 (off) or positive, got " + reducedDecodeShortSide);
    }
  }

  public static DecoderOptions defaults() {
    return new DecoderOptions(DEFAULT_MAX_PIXELS, DEFAULT_REDUCED_DECODE_SHORT_SIDE);
  }

  public DecoderOptions withMaxPixels(long value) {
    return new DecoderOptions(value, reducedDecodeShortSide);
  }

  public DecoderOptions withReducedDecode(int shortSide) {
    return new DecoderOptions(maxPixels, shortSide);
  }
}
