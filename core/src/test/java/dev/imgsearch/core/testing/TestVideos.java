package dev.imgsearch.core.testing;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;

/** The committed real videos (NOTICE gives their origin and licence) and damaged copies of them. */
public final class TestVideos {

  /** H.264 High, 640x480, 26.78 fps, 8.104 s declared, last frame at 8.066 s, 217 frames. */
  public static final String H264_MP4 = "cup.mp4";

  public static final int H264_MP4_FRAMES = 217;
  public static final long H264_MP4_LAST_FRAME_MS = 8066;

  /** Cinepak AVI, 320x240, 29.6 s declared, 68 coded frames at irregular times. */
  public static final String CINEPAK_AVI = "tree.avi";

  private TestVideos() {}

  public static Path path(String name) {
    return TestPhotos.resource("videos/" + name);
  }

  /**
   * A copy of a video cut after {@code fraction} of its bytes, as a copy interrupted half way
   * leaves it. {@code cup.mp4} keeps its index at the front, so its first frames still decode.
   */
  public static Path truncated(String name, double fraction, Path target) throws IOException {
    Path source = path(name);
    long keep = (long) (Files.size(source) * fraction);
    Files.createDirectories(target.getParent());
    try (InputStream in = Files.newInputStream(source);
        OutputStream out = Files.newOutputStream(target)) {
      byte[] buf = new byte[64 * 1024];
      long left = keep;
      while (left > 0) {
        int n = in.read(buf, 0, (int) Math.min(buf.length, left));
        if (n < 0) {
          break;
        }
        out.write(buf, 0, n);
        left -= n;
      }
    }
    return target;
  }
}
