package dev.imgsearch.core.image;

/** Container formats recognised from their first bytes, whatever the file is named. */
public enum ImageFormat {
  JPEG(true),
  PNG(true),
  GIF(true),
  BMP(true),
  WEBP(true),
  TIFF(true),
  // HEIF containers, decoded with FFmpeg (HeifDecoder): HEVC items (HEIC) and AV1 items (AVIF).
  AVIF(true),
  HEIF(true),
  // Recognised so that the user is told what the file is, but not decodable with this OpenCV build.
  JPEG_XL(false),
  JPEG_2000(false),
  QOI(false),
  PSD(false),
  SVG(false),
  // A frame of a video file: decoded by dev.imgsearch.core.video, never by ImageDecoder.
  VIDEO_FRAME(false);

  private final boolean decodable;

  ImageFormat(boolean decodable) {
    this.decodable = decodable;
  }

  public boolean decodable() {
    return decodable;
  }
}
