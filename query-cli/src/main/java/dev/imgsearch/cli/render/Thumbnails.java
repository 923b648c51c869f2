package dev.imgsearch.cli.render;

import dev.imgsearch.core.image.DecodeException;
import dev.imgsearch.core.image.DecodedImage;
import dev.imgsearch.core.image.DecoderOptions;
import dev.imgsearch.core.image.ImageDecoder;
import dev.imgsearch.core.video.VideoFrameSampler;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.awt.image.DataBufferInt;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Small pictures of query images and hits, decoded with core's {@link ImageDecoder} so that EXIF
 * orientation and colour handling match what was embedded. A video hit shows its frame, extracted
 * again from the video with the sampler that made it. A file that is gone or cannot be decoded
 * becomes a placeholder with a word saying why.
 */
public final class Thumbnails {

  /** A thumbnail, or the word for its placeholder ("missing", "unreadable"). */
  public record Thumb(BufferedImage image, String problem) {
    public static Thumb of(BufferedImage image) {
      return new Thumb(image, null);
    }

    public static Thumb placeholder(String problem) {
      return new Thumb(null, problem);
    }
  }

  private final int boxWidth;
  private final int boxHeight;
  private final ImageDecoder decoder;

  /** Thumbnails that fit {@code boxWidth x boxHeight}; JPEGs are decoded at a reduced scale. */
  public Thumbnails(int boxWidth, int boxHeight) {
    this.boxWidth = boxWidth;
    this.boxHeight = boxHeight;
    this.decoder =
        new ImageDecoder(
            DecoderOptions.defaults().withReducedDecode(Math.max(boxWidth, boxHeight)));
  }

  /** The thumbnail of a stored hit; {@code frameMs >= 0} marks a video frame. */
  public Thumb load(String filepath, long frameMs) {
    Path path = Path.of(filepath);
    if (!Files.isRegularFile(path)) {
      return Thumb.placeholder("missing");
    }
    if (frameMs >= 0) {
      try {
        return Thumb.of(of(VideoFrameSampler.frameAt(path, frameMs)));
      } catch (DecodeException e) {
        return Thumb.placeholder("unreadable");
      }
    }
    byte[] bytes;
    try {
      bytes = Files.readAllBytes(path);
    } catch (IOException e) {
      return Thumb.placeholder("unreadable");
    }
    try {
      return Thumb.of(of(decoder.decode(bytes)));
    } catch (DecodeException e) {
      return Thumb.placeholder("unreadable");
    }
  }

  /** The thumbnail of an image decoded already (a query). */
  public BufferedImage of(DecodedImage image) {
    return fit(toBufferedImage(image), boxWidth, boxHeight);
  }

  public static BufferedImage toBufferedImage(DecodedImage image) {
    int w = image.width();
    int h = image.height();
    BufferedImage out = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
    int[] pixels = ((DataBufferInt) out.getRaster().getDataBuffer()).getData();
    byte[] rgb = image.rgb();
    for (int i = 0, p = 0; i < pixels.length; i++, p += 3) {
      pixels[i] = (rgb[p] & 0xff) << 16 | (rgb[p + 1] & 0xff) << 8 | (rgb[p + 2] & 0xff);
    }
    return out;
  }

  /**
   * Scaled to fit the box with its aspect ratio kept. Downscaling halves step by step with bilinear
   * filtering, which keeps detail that one big bilinear step would alias away.
   */
  public static BufferedImage fit(BufferedImage src, int boxWidth, int boxHeight) {
    GridLayout.Box target =
        GridLayout.fit(
            src.getWidth(), src.getHeight(), new GridLayout.Box(0, 0, boxWidth, boxHeight));
    BufferedImage current = src;
    int w = src.getWidth();
    int h = src.getHeight();
    while (w / 2 >= target.width() && h / 2 >= target.height()) {
      w /= 2;
      h /= 2;
      current = scale(current, w, h);
    }
    if (w != target.width() || h != target.height()) {
      current = scale(current, target.width(), target.height());
    }
    return current;
  }

  private static BufferedImage scale(BufferedImage src, int w, int h) {
    BufferedImage out = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
    Graphics2D g = out.createGraphics();
    try {
      g.setRenderingHint(
          RenderingHints.KEY_INTERPOLATION, RenderingHints.VALUE_INTERPOLATION_BILINEAR);
      g.setRenderingHint(RenderingHints.KEY_RENDERING, RenderingHints.VALUE_RENDER_QUALITY);
      g.drawImage(src, 0, 0, w, h, null);
    } finally {
      g.dispose();
    }
    return out;
  }
}
