package dev.imgsearch.core.image;

import static org.bytedeco.ffmpeg.global.avutil.AVCOL_RANGE_JPEG;
import static org.bytedeco.ffmpeg.global.avutil.AVCOL_RANGE_MPEG;
import static org.bytedeco.ffmpeg.global.avutil.AVCOL_SPC_RGB;
import static org.bytedeco.ffmpeg.global.avutil.AVCOL_SPC_UNSPECIFIED;
import static org.bytedeco.ffmpeg.global.avutil.AV_PIX_FMT_RGB24;

import dev.imgsearch.core.image.HeifLayout.Codec;
import java.util.Arrays;
import java.util.List;
import org.bytedeco.ffmpeg.avcodec.AVCodec;
import org.bytedeco.ffmpeg.avcodec.AVCodecContext;
import org.bytedeco.ffmpeg.avcodec.AVPacket;
import org.bytedeco.ffmpeg.avutil.AVFrame;
import org.bytedeco.ffmpeg.global.avcodec;
import org.bytedeco.ffmpeg.global.avutil;
import org.bytedeco.ffmpeg.global.swscale;
import org.bytedeco.ffmpeg.swscale.SwsContext;
import org.bytedeco.javacpp.BytePointer;
import org.bytedeco.javacpp.DoublePointer;
import org.bytedeco.javacpp.IntPointer;
import org.bytedeco.javacpp.Loader;
import org.bytedeco.javacpp.PointerPointer;
import org.bytedeco.opencv.global.opencv_core;
import org.bytedeco.opencv.opencv_core.Mat;
import org.bytedeco.opencv.opencv_core.Rect;

/**
 * Decodes HEIC (HEVC in HEIF) and AVIF (AV1 in HEIF) still images to 8-bit RGB with the FFmpeg that
 * JavaCV bundles: its own HEVC decoder, and libaom for AV1 (the build has no dav1d). The HEIF boxes
 * are read by {@link HeifContainer}, not by FFmpeg's demuxer, so that the pixel limit and
 * truncation are checked before any codec runs and grids need no filter graph.
 *
 * <ul>
 *   <li>Grids (phones store 12-megapixel photos as 512x512 tiles): each tile is decoded and
 *       converted into its place in the picture, the overhang at the right and bottom cut off.
 *   <li>Colour: YCbCr to RGB with the matrix and range of the item's {@code colr} nclx property,
 *       else those the bitstream signals (HEVC VUI, the AV1 sequence header), else BT.601; for AV1
 *       the sequence header's range rules, as in libavif. 10- and 12-bit samples are reduced to 8
 *       bits in the same step. ICC profiles are not applied, as for the other formats.
 *   <li>Alpha: an alpha auxiliary image is not decoded; the colour is kept as it is, as for PNG.
 *   <li>Orientation: the {@code clap}, {@code irot} and {@code imir} properties, in the order they
 *       are associated with the item, which is what libheif, libavif and browsers show. An EXIF
 *       Orientation tag in the file is not applied on top of them (HEIF writers repeat the irot in
 *       the EXIF, so applying both would rotate twice), nor instead of them when there is none.
 *   <li>Reduced size: the codecs cannot decode at a fraction of the size as libjpeg can, but when
 *       the short side allows (the same rule as for JPEG, {@link
 *       DecoderOptions#reducedDecodeShortSide()}), the colour conversion averages the decoded
 *       pixels down by 2, 4 or 8 in the same pass, which saves the full-size RGB picture and most
 *       of the resize.
 * </ul>
 *
 * <p>Thread-safe: all state is local to a call, which opens its own single-threaded decoder.
 */
final class HeifDecoder {

  /** AVERROR(EAGAIN): -EAGAIN, 11 on Linux, 35 on macOS. */
  private static final int EAGAIN = Loader.getPlatform().startsWith("macosx") ? -35 : -11;

  private static final int AV_FRAME_FLAG_CORRUPT = 1;

  /**
   * Chroma taken per output pixel from its nearest sample (SWS_POINT at full size), rounded
   * exactly: the same 8-bit RGB as libheif 1.15's conversion, pixel for pixel but for rare
   * one-level differences. Without SWS_ACCURATE_RND swscale is about 50 ms faster on a 12-megapixel
   * picture but biased by up to 2 levels.
   */
  private static final int CONVERT_FLAGS = swscale.SWS_FULL_CHR_H_INT | swscale.SWS_ACCURATE_RND;

  static {
    NativeLibraries.ffmpeg();
  }

  private HeifDecoder() {}

  /**
   * Decodes a HEIF file whose header has been read and checked against the pixel limit.
   *
   * @throws DecodeException TRUNCATED when coded data lies past the end of the file, TOO_LARGE when
   *     its tiles hold more pixels than the limit, CORRUPT when boxes contradict each other or the
   *     codec fails, UNSUPPORTED_FORMAT for codings this decoder does not read
   */
  static DecodedImage decode(byte[] data, ImageHeader header, DecoderOptions options)
      throws DecodeException {
    HeifLayout layout = HeifLayout.of(data, header.format());
    ImageFormat format = header.format();
    if (!layout.complete) {
      long end = 0;
      for (int id : layout.tiles) {
        for (HeifContainer.Extent e : layout.container.item(id).extents()) {
          end = Math.max(end, e.offset() + e.length());
        }
      }
      throw new DecodeException(
          RejectReason.TRUNCATED,
          end > data.length
              ? format + " image data runs to byte " + end + ", the file has " + data.length
              : format + " file ends inside a box after " + data.length + " bytes");
    }
    long tilePixels = (long) layout.tileWidth * layout.tileHeight;
    if (tilePixels > options.maxPixels() || layout.decodedPixels() > 2 * options.maxPixels()) {
      throw new DecodeException(
          RejectReason.TOO_LARGE,
          String.format(
              "%s has %d tiles of %dx%d = %d pixels, limit is %d",
              format,
              layout.tiles.length,
              layout.tileWidth,
              layout.tileHeight,
              layout.decodedPixels(),
              options.maxPixels()));
    }
    List<HeifContainer.Property> transforms =
        layout.container.properties(layout.primary.id()).stream()
            .filter(p -> List.of("irot", "imir", "clap").contains(p.box().type()))
            .toList();
    int scale = reducedScale(layout, options, transforms);
    // Tiles are converted whole, their sizes rounded up to whole chroma samples (and to the
    // scale), into a canvas that holds them all; the picture is the canvas's top-left corner.
    int step = Math.max(2, scale);
    int tileStride = layout.tileWidth / scale;
    int tileRows = layout.tileHeight / scale;
    int canvasWidth = (layout.columns - 1) * tileStride + roundUp(layout.tileWidth, step) / scale;
    int canvasHeight = (layout.rows - 1) * tileRows + roundUp(layout.tileHeight, step) / scale;
    try (BytePointer canvas = new BytePointer((long) canvasWidth * canvasHeight * 3)) {
      decodeTiles(layout, canvas, canvasWidth, scale, options);
      try (Mat whole = new Mat(canvasHeight, canvasWidth, opencv_core.CV_8UC3, canvas);
          Rect shown = new Rect(0, 0, ceilDiv(layout.width, scale), ceilDiv(layout.height, scale));
          Mat picture = new Mat(whole, shown)) {
        Mat upright = transform(layout.container, picture, transforms);
        try {
          return toImage(upright, format, layout, transforms);
        } finally {
          if (upright != picture) {
            upright.close();
          }
        }
      }
    }
  }

  /**
   * 1, 2, 4 or 8 (as libjpeg's scales): the largest reduction that keeps the short side at the
   * configured length.
   */
  static int reducedScale(
      HeifLayout layout, DecoderOptions options, List<HeifContainer.Property> transforms) {
    int target = options.reducedDecodeShortSide();
    if (target == 0 || transforms.stream().anyMatch(p -> p.box().type().equals("clap"))) {
      return 1;
    }
    int shortSide = Math.min(layout.width, layout.height);
    for (int k = 8; k >= 2; k /= 2) {
      boolean aligned =
          layout.tiles.length == 1 || layout.tileWidth % k == 0 && layout.tileHeight % k == 0;
      if (aligned && ceilDiv(shortSide, k) >= target) {
        return k;
      }
    }
    return 1;
  }

  /** Decodes every visible tile and converts it into its place in the canvas. */
  private static void decodeTiles(
      HeifLayout layout, BytePointer canvas, int canvasWidth, int scale, DecoderOptions options)
      throws DecodeException {
    HeifContainer c = layout.container;
    ImageFormat format = c.format();
    AVCodec codec = avcodec.avcodec_find_decoder(codecId(layout.codec));
    if (codec == null || codec.isNull()) {
      throw c.unsupported(
          "this FFmpeg build has no "
              + (layout.codec == Codec.AV1 ? "AV1 decoder (libdav1d or libaom)" : "HEVC decoder"),
          null);
    }
    Colour colour = null;
    AVCodecContext context = null;
    byte[] contextConfig = null;
    SwsContext sws = null;
    AVPacket packet = avcodec.av_packet_alloc();
    AVFrame frame = avutil.av_frame_alloc();
    AVFrame padded = null;
    PointerPointer<BytePointer> dst = new PointerPointer<>(4);
    IntPointer dstStride = new IntPointer(4);
    try {
      int n = layout.tiles.length;
      int step = Math.max(2, scale);
      int srcWidth = roundUp(layout.tileWidth, step);
      int srcHeight = roundUp(layout.tileHeight, step);
      for (int i = 0; i < n; i++) {
        int x = (i % layout.columns) * layout.tileWidth;
        int y = (i / layout.columns) * layout.tileHeight;
        if (x >= layout.width || y >= layout.height) {
          continue; // wholly in the overhang: nothing of it is shown
        }
        HeifContainer.Item tile = c.item(layout.tiles[i]);
        HeifContainer.Box configBox = c.property(tile.id(), layout.codec.configType);
        byte[] config = Arrays.copyOfRange(c.bytes(), configBox.start(), configBox.end());
        if (context == null || !Arrays.equals(config, contextConfig)) {
          if (context != null) {
            avcodec.avcodec_free_context(context);
            context = null;
          }
          // The bitstream may declare a larger picture than its ispe: FFmpeg refuses to
          // allocate more than the declared tile, rounded up to whole coding blocks.
          long maxPixels =
              Math.min(
                  options.maxPixels(), (long) (layout.tileWidth + 128) * (layout.tileHeight + 128));
          context = open(codec, config, layout, format, maxPixels);
          contextConfig = config;
        }
        decodeOne(context, packet, frame, c.data(tile), layout, i);
        if (frame.width() < layout.tileWidth || frame.height() < layout.tileHeight) {
          throw new DecodeException(
              RejectReason.CORRUPT,
              String.format(
                  "%s %s decodes to %dx%d pixels, its header declares %dx%d",
                  format,
                  n == 1 ? "image" : "tile " + (i + 1) + " of " + n,
                  frame.width(),
                  frame.height(),
                  layout.tileWidth,
                  layout.tileHeight));
        }
        if (colour == null) {
          colour = Colour.of(c, layout, tile.id(), frame);
        }
        AVFrame source = frame;
        if (frame.width() < srcWidth || frame.height() < srcHeight) {
          // An odd size: swscale maps chroma samples exactly only for whole pairs of pixels, so
          // convert from a copy one column or row larger (that column or row is cut off).
          if (padded == null) {
            padded = avutil.av_frame_alloc();
          }
          avutil.av_frame_unref(padded);
          padded.format(frame.format());
          padded.width(srcWidth);
          padded.height(srcHeight);
          if (avutil.av_frame_get_buffer(padded, 0) < 0
              || avutil.av_frame_copy(padded, frame) < 0) {
            throw new OutOfMemoryError(
                "FFmpeg could not copy a " + srcWidth + "x" + srcHeight + " frame");
          }
          source = padded;
        }
        int pixelFormat = colour.sourceFormat(frame.format(), format);
        sws =
            swscale.sws_getCachedContext(
                sws,
                srcWidth,
                srcHeight,
                pixelFormat,
                srcWidth / scale,
                srcHeight / scale,
                AV_PIX_FMT_RGB24,
                (scale == 1 ? swscale.SWS_POINT : swscale.SWS_AREA) | CONVERT_FLAGS,
                null,
                null,
                (DoublePointer) null);
        if (sws == null || sws.isNull()) {
          throw c.unsupported(
              "FFmpeg cannot convert its pixel format "
                  + avutil.av_get_pix_fmt_name(frame.format()).getString()
                  + " to RGB",
              null);
        }
        if (colour.matrix != AVCOL_SPC_RGB) {
          swscale.sws_setColorspaceDetails(
              sws,
              swscale.sws_getCoefficients(colour.swsMatrix()),
              colour.fullRange ? 1 : 0,
              swscale.sws_getCoefficients(swscale.SWS_CS_DEFAULT),
              1,
              0,
              1 << 16,
              1 << 16);
        }
        long at = ((long) (y / scale) * canvasWidth + x / scale) * 3;
        dst.put(0, canvas.getPointer(at));
        dstStride.put(0, canvasWidth * 3);
        swscale.sws_scale(sws, source.data(), source.linesize(), 0, srcHeight, dst, dstStride);
        avutil.av_frame_unref(frame);
      }
    } finally {
      if (sws != null) {
        swscale.sws_freeContext(sws);
      }
      if (context != null) {
        avcodec.avcodec_free_context(context);
      }
      avcodec.av_packet_free(packet);
      avutil.av_frame_free(frame);
      if (padded != null) {
        avutil.av_frame_free(padded);
      }
      dst.close();
      dstStride.close();
    }
  }

  private static AVCodecContext open(
      AVCodec codec, byte[] config, HeifLayout layout, ImageFormat format, long maxPixels)
      throws DecodeException {
    AVCodecContext context = avcodec.avcodec_alloc_context3(codec);
    if (context == null || context.isNull()) {
      throw new OutOfMemoryError("FFmpeg could not allocate a decoder context");
    }
    // Parallelism comes from the callers (one decoder per operator subtask).
    context.thread_count(1);
    context.max_pixels(Math.min(maxPixels, Integer.MAX_VALUE));
    BytePointer extradata =
        new BytePointer(avutil.av_mallocz(config.length + avcodec.AV_INPUT_BUFFER_PADDING_SIZE));
    extradata.put(config);
    context.extradata(extradata);
    context.extradata_size(config.length);
    int ret = avcodec.avcodec_open2(context, codec, (PointerPointer<?>) null);
    if (ret < 0) {
      avcodec.avcodec_free_context(context);
      throw new DecodeException(
          RejectReason.CORRUPT,
          format
              + " "
              + layout.codec
              + " decoder refused the file's "
              + layout.codec.configType
              + " configuration: "
              + error(ret));
    }
    return context;
  }

  /** Decodes one coded item into {@code frame}: send it, drain the decoder, reset it. */
  private static void decodeOne(
      AVCodecContext context, AVPacket packet, AVFrame frame, byte[] data, HeifLayout layout, int i)
      throws DecodeException {
    String where =
        layout.tiles.length == 1 ? "" : " on tile " + (i + 1) + " of " + layout.tiles.length;
    if (data.length == 0) {
      throw new DecodeException(
          RejectReason.CORRUPT, layout.container.format() + " image item" + where + " is empty");
    }
    if (avcodec.av_new_packet(packet, data.length) < 0) {
      throw new OutOfMemoryError("FFmpeg could not allocate a packet of " + data.length);
    }
    packet.data().put(data);
    packet.flags(avcodec.AV_PKT_FLAG_KEY);
    try {
      int ret = avcodec.avcodec_send_packet(context, packet);
      if (ret < 0 && ret != EAGAIN) {
        throw failed(layout, where, ret);
      }
      ret = avcodec.avcodec_receive_frame(context, frame);
      if (ret == EAGAIN) {
        ret = avcodec.avcodec_send_packet(context, null);
        if (ret < 0 && ret != avutil.AVERROR_EOF) {
          throw failed(layout, where, ret);
        }
        ret = avcodec.avcodec_receive_frame(context, frame);
      }
      if (ret == avutil.AVERROR_EOF) {
        throw new DecodeException(
            RejectReason.CORRUPT,
            layout.container.format() + " " + layout.codec + " data gave no picture" + where);
      }
      if (ret < 0) {
        throw failed(layout, where, ret);
      }
      if ((frame.flags() & AV_FRAME_FLAG_CORRUPT) != 0 || frame.decode_error_flags() != 0) {
        throw new DecodeException(
            RejectReason.CORRUPT,
            layout.container.format() + " " + layout.codec + " data has errors" + where);
      }
    } finally {
      avcodec.av_packet_unref(packet);
      // Each item is a picture of its own: the next one starts from a clean decoder.
      avcodec.avcodec_flush_buffers(context);
    }
  }

  private static DecodeException failed(HeifLayout layout, String where, int ret) {
    return new DecodeException(
        RejectReason.CORRUPT,
        layout.container.format()
            + " "
            + layout.codec
            + " decoder failed"
            + where
            + ": "
            + error(ret));
  }

  private static String error(int ret) {
    byte[] buf = new byte[256];
    avutil.av_strerror(ret, buf, buf.length);
    int end = 0;
    while (end < buf.length && buf[end] != 0) {
      end++;
    }
    return new String(buf, 0, end, java.nio.charset.StandardCharsets.UTF_8) + " (" + ret + ")";
  }

  private static int codecId(Codec codec) {
    return switch (codec) {
      case HEVC -> avcodec.AV_CODEC_ID_HEVC;
      case AV1 -> avcodec.AV_CODEC_ID_AV1;
    };
  }

  /** Applies clap, irot and imir in their association order. Returns {@code mat} if none. */
  private static Mat transform(HeifContainer c, Mat mat, List<HeifContainer.Property> transforms)
      throws DecodeException {
    Mat current = mat;
    for (HeifContainer.Property p : transforms) {
      HeifContainer.Box b = p.box();
      Mat next = new Mat();
      switch (b.type()) {
        case "irot" -> {
          int angle = c.u8(b.start(), b) & 3;
          switch (angle) {
            case 1 -> opencv_core.rotate(current, next, opencv_core.ROTATE_90_COUNTERCLOCKWISE);
            case 2 -> opencv_core.rotate(current, next, opencv_core.ROTATE_180);
            case 3 -> opencv_core.rotate(current, next, opencv_core.ROTATE_90_CLOCKWISE);
            default -> current.copyTo(next);
          }
        }
        // ISO/IEC 23008-12:2022: axis 0 exchanges top and bottom, 1 left and right.
        case "imir" -> opencv_core.flip(current, next, (c.u8(b.start(), b) & 1) == 0 ? 0 : 1);
        default -> {
          int[] r = clap(c, b, current.cols(), current.rows());
          try (Rect rect = new Rect(r[0], r[1], r[2], r[3]);
              Mat window = new Mat(current, rect)) {
            window.copyTo(next);
          }
        }
      }
      if (current != mat) {
        current.close();
      }
      current = next;
    }
    return current;
  }

  /** The clean aperture (x, y, width, height) of a w x h picture, as libheif rounds it. */
  static int[] clap(HeifContainer c, HeifContainer.Box b, int w, int h) throws DecodeException {
    long[] v = new long[8];
    for (int i = 0; i < 8; i++) {
      v[i] = (int) c.u32(b.start() + 4 * i, b); // widthN/D, heightN/D, horizOffN/D, vertOffN/D
    }
    for (int i = 1; i < 8; i += 2) {
      if (v[i] == 0) {
        throw c.corrupt("its clap property has a zero denominator");
      }
    }
    double cw = (double) v[0] / v[1];
    double ch = (double) v[2] / v[3];
    double left = (double) v[4] / v[5] + (w - 1) / 2.0 - (cw - 1) / 2.0;
    double top = (double) v[6] / v[7] + (h - 1) / 2.0 - (ch - 1) / 2.0;
    int x = (int) Math.floor(left);
    int y = (int) Math.floor(top);
    int width = (int) Math.round(cw);
    int height = (int) Math.round(ch);
    if (x < 0 || y < 0 || width <= 0 || height <= 0 || x + width > w || y + height > h) {
      throw c.corrupt(
          "its clean aperture "
              + width
              + "x"
              + height
              + "+"
              + x
              + "+"
              + y
              + " lies outside its "
              + w
              + "x"
              + h
              + " picture");
    }
    return new int[] {x, y, width, height};
  }

  private static DecodedImage toImage(
      Mat mat, ImageFormat format, HeifLayout layout, List<HeifContainer.Property> transforms)
      throws DecodeException {
    int width = mat.cols();
    int height = mat.rows();
    byte[] rgb = MatPixels.packed3(mat);
    // The full-size picture's oriented size (a reduced decode is smaller); clap disables it.
    int sourceWidth = layout.width;
    int sourceHeight = layout.height;
    for (HeifContainer.Property p : transforms) {
      HeifContainer.Box b = p.box();
      if (b.type().equals("irot") && (layout.container.u8(b.start(), b) & 1) == 1) {
        int t = sourceWidth;
        sourceWidth = sourceHeight;
        sourceHeight = t;
      } else if (b.type().equals("clap")) {
        sourceWidth = width;
        sourceHeight = height;
      }
    }
    return new DecodedImage(rgb, width, height, format, sourceWidth, sourceHeight);
  }

  private static int roundUp(int a, int multiple) {
    return (a + multiple - 1) / multiple * multiple;
  }

  private static int ceilDiv(int a, int b) {
    return (a + b - 1) / b;
  }

  /** The YCbCr to RGB conversion a picture asks for. */
  private record Colour(int matrix, boolean fullRange) {

    static Colour of(HeifContainer c, HeifLayout layout, int tileId, AVFrame frame)
        throws DecodeException {
      HeifContainer.Box colr = nclx(c, layout.primary.id());
      if (colr == null) {
        colr = nclx(c, tileId);
      }
      int matrix = AVCOL_SPC_UNSPECIFIED;
      Boolean full = null;
      if (colr != null) {
        matrix = c.u16(colr.start() + 8, colr);
        full = (c.u8(colr.start() + 10, colr) & 0x80) != 0;
      }
      if (matrix == AVCOL_SPC_UNSPECIFIED) {
        matrix = frame.colorspace();
      }
      if (matrix == AVCOL_SPC_UNSPECIFIED) {
        matrix = 6; // BT.601, what libheif and libavif assume
      }
      // AV1's sequence header always states its range, and libavif follows it over the colr box.
      int range = frame.color_range();
      if (layout.codec == Codec.AV1 && (range == AVCOL_RANGE_JPEG || range == AVCOL_RANGE_MPEG)) {
        full = range == AVCOL_RANGE_JPEG;
      }
      if (full == null) {
        full = range == AVCOL_RANGE_JPEG;
      }
      return new Colour(matrix, full);
    }

    private static HeifContainer.Box nclx(HeifContainer c, int id) throws DecodeException {
      for (HeifContainer.Property p : c.properties(id)) {
        HeifContainer.Box b = p.box();
        if (b.type().equals("colr")
            && b.end() - b.start() >= 11
            && c.u32(b.start(), b) == 0x6E636C78L /* nclx */) {
          return b;
        }
      }
      return null;
    }

    int swsMatrix() {
      return switch (matrix) {
        case 1 -> swscale.SWS_CS_ITU709;
        case 4 -> swscale.SWS_CS_FCC;
        case 7 -> swscale.SWS_CS_SMPTE240M;
        case 9, 10 -> swscale.SWS_CS_BT2020;
        default -> swscale.SWS_CS_ITU601; // 5, 6 and whatever swscale has no table for
      };
    }

    /** The frame's format, read as planar GBR when the matrix is the identity (RGB coded). */
    int sourceFormat(int frameFormat, ImageFormat format) throws DecodeException {
      if (matrix != AVCOL_SPC_RGB) {
        return frameFormat;
      }
      if (frameFormat == avutil.AV_PIX_FMT_YUV444P) {
        return avutil.AV_PIX_FMT_GBRP;
      }
      if (frameFormat == avutil.AV_PIX_FMT_YUV444P10LE) {
        return avutil.AV_PIX_FMT_GBRP10LE;
      }
      if (frameFormat == avutil.AV_PIX_FMT_YUV444P12LE) {
        return avutil.AV_PIX_FMT_GBRP12LE;
      }
      throw new DecodeException(
          RejectReason.CORRUPT,
          format
              + " declares RGB samples (matrix 0) in subsampled "
              + avutil.av_get_pix_fmt_name(frameFormat).getString());
    }
  }
}
