package dev.imgsearch.job.source;

import dev.imgsearch.core.image.DecodedImage;
import dev.imgsearch.core.image.ImageFormat;
import dev.imgsearch.core.video.VideoFrame;

/**
 * A sampled video frame on its way from the reader to preprocessing: its time and its RGB pixels. A
 * POJO for Flink's serializer.
 */
public class RawFrame {
  public long frameMs;
  public int width;
  public int height;
  public byte[] rgb;

  public RawFrame() {}

  public static RawFrame of(VideoFrame frame) {
    RawFrame f = new RawFrame();
    f.frameMs = frame.frameMs();
    f.width = frame.image().width();
    f.height = frame.image().height();
    f.rgb = frame.image().rgb();
    return f;
  }

  public DecodedImage image() {
    return new DecodedImage(rgb, width, height, ImageFormat.VIDEO_FRAME);
  }

  @Override
  public String toString() {
    return "RawFrame{" + frameMs + " ms, " + width + "x" + height + "}";
  }
}
