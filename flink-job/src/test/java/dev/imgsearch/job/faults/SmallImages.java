package dev.imgsearch.job.faults;

import static dev.imgsearch.job.testing.JobTestSupport.ROOT;

import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.FileTime;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import javax.imageio.ImageIO;

/**
 * Many small real images for the fault and load tests: the project's sample photos (real JPEGs)
 * scaled down to 64x48, each copy with its index drawn into a corner so that every file has content
 * of its own (distinct bytes, hash and embedding). Small files keep a 10,000-image run within
 * minutes on two cores; the decoder, preprocessing and model still do all of their work.
 */
final class SmallImages {

  static final int WIDTH = 64;
  static final int HEIGHT = 48;

  /** The broken files that {@link #writeBroken} writes, by the reason the job must give. */
  static final Map<String, String> BROKEN =
      Map.of(
          "truncated-%d.jpg", "TRUNCATED",
          "empty-%d.jpg", "EMPTY",
          "text-%d.png", "UNKNOWN_FORMAT");

  private final List<BufferedImage> bases;

  private SmallImages(List<BufferedImage> bases) {
    this.bases = bases;
  }

  /** The sample photos in samples/images, each scaled to 64x48. */
  static SmallImages fromSamples() throws IOException {
    List<BufferedImage> bases = new ArrayList<>();
    try (Stream<Path> files = Files.list(ROOT.resolve("samples/images"))) {
      for (Path p : files.filter(f -> f.toString().endsWith(".jpg")).sorted().toList()) {
        BufferedImage src = ImageIO.read(p.toFile());
        if (src == null) {
          continue;
        }
        BufferedImage small = new BufferedImage(WIDTH, HEIGHT, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = small.createGraphics();
        g.setRenderingHint(
            RenderingHints.KEY_INTERPOLATION, RenderingHints.VALUE_INTERPOLATION_BILINEAR);
        g.drawImage(src, 0, 0, WIDTH, HEIGHT, null);
        g.dispose();
        bases.add(small);
      }
    }
    if (bases.isEmpty()) {
      throw new IllegalStateException("no JPEG photos in " + ROOT.resolve("samples/images"));
    }
    return new SmallImages(bases);
  }

  /** The JPEG bytes of image number {@code i}: a sample photo with {@code i} drawn in a corner. */
  byte[] jpeg(int i) {
    BufferedImage base = bases.get(i % bases.size());
    BufferedImage img = new BufferedImage(WIDTH, HEIGHT, BufferedImage.TYPE_INT_RGB);
    Graphics2D g = img.createGraphics();
    g.drawImage(base, 0, 0, null);
    g.dispose();
    // 24 bits of the index as 4x2-pixel black or white cells along the top edge: survives JPEG.
    for (int bit = 0; bit < 24; bit++) {
      int rgb = ((i >> bit) & 1) == 1 ? 0xFFFFFF : 0x000000;
      for (int dx = 0; dx < 2; dx++) {
        for (int dy = 0; dy < 4; dy++) {
          img.setRGB((bit * 2 + dx) % WIDTH, dy + 4 * ((bit * 2) / WIDTH), rgb);
        }
      }
    }
    ByteArrayOutputStream out = new ByteArrayOutputStream(4096);
    try {
      if (!ImageIO.write(img, "jpg", out)) {
        throw new IllegalStateException("no JPEG writer in this JRE");
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return out.toByteArray();
  }

  /**
   * Writes images {@code from} to {@code from + count - 1} as {@code dir/dNN/img-NNNNNN.jpg}, 500
   * to a folder. Each is written under a hidden name and renamed, as a producer should, so that the
   * job never sees half a file. Returns their absolute, normalized paths.
   */
  List<Path> write(Path dir, int from, int count) throws IOException {
    List<Path> out = new ArrayList<>(count);
    for (int i = from; i < from + count; i++) {
      Path sub = Files.createDirectories(dir.resolve(String.format("d%03d", i / 500)));
      String name = String.format("img-%06d.jpg", i);
      Path tmp = sub.resolve("." + name + ".tmp");
      Files.write(tmp, jpeg(i));
      out.add(
          Files.move(tmp, sub.resolve(name), StandardCopyOption.ATOMIC_MOVE)
              .toAbsolutePath()
              .normalize());
    }
    return out;
  }

  /**
   * Writes {@code perKind} files of each kind in {@link #BROKEN} into {@code dir/broken}, dated a
   * minute back so that the job does not wait for them to settle. Returns path to expected reason.
   */
  Map<String, String> writeBroken(Path dir, int perKind) throws IOException {
    Path broken = Files.createDirectories(dir.resolve("broken"));
    Map<String, String> reasons = new LinkedHashMap<>();
    byte[] whole = jpeg(0);
    for (int i = 0; i < perKind; i++) {
      for (Map.Entry<String, String> kind : BROKEN.entrySet()) {
        Path f = broken.resolve(String.format(kind.getKey(), i));
        byte[] bytes =
            switch (kind.getValue()) {
              case "TRUNCATED" -> Arrays.copyOf(whole, whole.length / 2);
              case "EMPTY" -> new byte[0];
              default -> ("not a picture, number " + i).getBytes();
            };
        Files.write(f, bytes);
        Files.setLastModifiedTime(f, FileTime.fromMillis(System.currentTimeMillis() - 60_000));
        reasons.put(f.toAbsolutePath().normalize().toString(), kind.getValue());
      }
    }
    return reasons;
  }

  /** Counts by reason, in a stable order, for reports. */
  static Map<String, Long> countByReason(Map<String, String> reasons) {
    return reasons.values().stream()
        .collect(Collectors.groupingBy(r -> r, java.util.TreeMap::new, Collectors.counting()));
  }
}
