package dev.imgsearch.core.image;

import static org.bytedeco.opencv.global.opencv_imgcodecs.IMREAD_COLOR_BGR;
import static org.bytedeco.opencv.global.opencv_imgcodecs.IMREAD_COLOR_RGB;
import static org.bytedeco.opencv.global.opencv_imgcodecs.IMREAD_IGNORE_ORIENTATION;
import static org.bytedeco.opencv.global.opencv_imgcodecs.IMREAD_REDUCED_COLOR_2;
import static org.bytedeco.opencv.global.opencv_imgcodecs.IMREAD_REDUCED_COLOR_4;
import static org.bytedeco.opencv.global.opencv_imgcodecs.IMREAD_REDUCED_COLOR_8;
import static org.bytedeco.opencv.global.opencv_imgcodecs.imdecode;

import java.util.Objects;
import org.bytedeco.javacpp.BytePointer;
import org.bytedeco.opencv.global.opencv_core;
import org.bytedeco.opencv.opencv_core.Mat;

/**
 * Turns the bytes of an image file into 8-bit RGB pixels with OpenCV. It never throws anything but
 * {@link DecodeException} for a bad file: the header is checked first (format, pixel limit,
 * completeness), and OpenCV's own failures are mapped to a reason.
 *
 * <p>Thread-safe and cheap to create; OpenCV's own threading is switched off because callers
 * parallelise decoding themselves (one decoder per operator subtask).
 */
public final class ImageDecoder {

  static {
    NativeLibraries.opencv();
  }

  private final DecoderOptions options;

  public ImageDecoder(DecoderOptions options) {
    this.options = Objects.requireNonNull(options, "options");
  }

  public DecoderOptions options() {
    return options;
  }

  public DecodedImage decode(byte[] data) throws DecodeException {
    ImageHeader header = ImageHeaderReader.read(data);
    if (header.pixels() > options.maxPixels()) {
      throw new DecodeException(
          RejectReason.TOO_LARGE,
          String.format(
              "%s declares %dx%d = %d pixels, limit is %d",
              header.format(),
              header.width(),
              header.height(),
              header.pixels(),
              options.maxPixels()));
    }
    if (header.format() == ImageFormat.HEIF || header.format() == ImageFormat.AVIF) {
      return HeifDecoder.decode(data, header, options);
    }
    int scale = reducedScale(header);
    int flags = IMREAD_COLOR_RGB | reducedFlag(scale);
    // OpenCV orients JPEG, PNG (eXIf) and TIFF itself; WebP's EXIF orientation, and a PNG's in
    // ImageMagick's text profile, are applied here instead (and OpenCV told to keep out of it,
    // so that a later version cannot apply it twice).
    int orientation = ExifOrientation.NORMAL;
    if (header.format() == ImageFormat.WEBP) {
      orientation = ExifOrientation.ofWebp(data);
      flags |= IMREAD_IGNORE_ORIENTATION;
    } else if (header.format() == ImageFormat.PNG) {
      orientation = ExifOrientation.ofPngTextProfile(data);
      if (orientation != ExifOrientation.NORMAL) {
        flags |= IMREAD_IGNORE_ORIENTATION;
      }
    }
    byte[] encodedBytes =
        header.format() == ImageFormat.PNG ? AnimatedPng.defaultImage(data) : data;
    DecodedImage image;
    try (BytePointer buffer = new BytePointer(encodedBytes);
        Mat encoded = new Mat(1, encodedBytes.length, opencv_core.CV_8UC1, buffer);
        Mat decoded = imdecode(encoded, flags)) {
      if (decoded == null || decoded.empty()) {
        throw new DecodeException(
            header.complete() ? RejectReason.CORRUPT : RejectReason.TRUNCATED,
            header.format()
                + " could not be decoded"
                + (header.complete() ? "" : ", data ends early"));
      }
      Mat upright = ExifOrientation.apply(decoded, orientation);
      try {
        image = toRgb(upright, header, scale);
      } finally {
        if (upright != decoded) {
          upright.close();
        }
      }
    } catch (RuntimeException e) {
      // OpenCV reports some failures as cv::Exception, which JavaCPP surfaces as RuntimeException.
      throw new DecodeException(
          header.complete() ? RejectReason.CORRUPT : RejectReason.TRUNCATED,
          header.format() + " decoder failed: " + firstLine(e.getMessage()),
          e);
    }
    if (!header.complete()) {
      // OpenCV decodes a truncated PNG to a partly grey image without complaint.
      throw new DecodeException(
          RejectReason.TRUNCATED, header.format() + " data ends before its end marker");
    }
    return image;
  }

  /** The largest libjpeg DCT scale that keeps the short side at least the configured length. */
  int reducedScale(ImageHeader header) {
    int target = options.reducedDecodeShortSide();
    if (target == 0 || header.format() != ImageFormat.JPEG) {
      return 1;
    }
    int shortSide = Math.min(header.width(), header.height());
    for (int k = 8; k >= 2; k /= 2) {
      if ((shortSide + k - 1) / k >= target) {
        return k;
      }
    }
    return 1;
  }

  /** The scale bits of OpenCV's reduced modes, without their BGR colour bit (RGB is asked for). */
  private static int reducedFlag(int scale) {
    return switch (scale) {
      case 2 -> IMREAD_REDUCED_COLOR_2 & ~IMREAD_COLOR_BGR;
      case 4 -> IMREAD_REDUCED_COLOR_4 & ~IMREAD_COLOR_BGR;
      case 8 -> IMREAD_REDUCED_COLOR_8 & ~IMREAD_COLOR_BGR;
      default -> 0;
    };
  }

  private static DecodedImage toRgb(Mat mat, ImageHeader header, int scale) {
    if (mat.channels() != 3 || mat.depth() != opencv_core.CV_8U) {
      throw new IllegalStateException(
          "OpenCV returned " + mat.channels() + " channels of depth " + mat.depth());
    }
    int width = mat.cols();
    int height = mat.rows();
    byte[] rgb = MatPixels.packed3(mat);
    // EXIF orientations 5-8 swap the stored axes; the decoded aspect tells whether they did.
    boolean swapped = scale > 1 && (width > height) != (header.width() > header.height());
    int sourceWidth = scale == 1 ? width : swapped ? header.height() : header.width();
    int sourceHeight = scale == 1 ? height : swapped ? header.width() : header.height();
    return new DecodedImage(rgb, width, height, header.format(), sourceWidth, sourceHeight);
  }

  private static String firstLine(String message) {
    if (message == null) {
      return "no message";
    }
    int nl = message.indexOf('\n');
    return (nl < 0 ? message : message.substring(0, nl)).strip();
  }
}
