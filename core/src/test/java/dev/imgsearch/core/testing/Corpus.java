package dev.imgsearch.core.testing;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The corpus of real odd and broken image files (core/src/test/resources/corpus, made by
 * scripts/reference/make_corpus.py) and what its manifest says each must become.
 */
public final class Corpus {

  /**
   * One corpus file.
   *
   * @param expect "ok" for a file that must decode, otherwise the name of its RejectReason
   * @param grid cells per side of the reference grid (0 for a broken file)
   * @param means mean R, G, B of each grid cell of the reference decode (Pillow, EXIF applied)
   * @param unorientedMeans the same for the stored pixels without orientation, where they differ
   *     and have the same shape; null otherwise
   */
  public record Entry(
      String file,
      String expect,
      long bytes,
      String sha256,
      int width,
      int height,
      int grid,
      double[] means,
      double[] unorientedMeans) {

    public boolean decodable() {
      return expect.equals("ok");
    }

    public Path path() {
      return TestPhotos.resource("corpus/" + file);
    }

    /** The file name without its folders (good/, bad/, heif/good/, ...). */
    public String name() {
      return file.substring(file.lastIndexOf('/') + 1);
    }

    @Override
    public String toString() {
      return file;
    }
  }

  private Corpus() {}

  /**
   * Every file: the corpus (make_corpus.py) and the HEIC/AVIF files in corpus/heif/ (made by
   * make_heif.py, whose manifest has the same form, its paths starting with heif/).
   */
  public static List<Entry> all() {
    List<Entry> out = new ArrayList<>();
    read("corpus/manifest.json", out);
    read("corpus/heif/manifest.json", out);
    return out;
  }

  /** The HEIC and AVIF files alone. */
  public static List<Entry> heif() {
    List<Entry> out = new ArrayList<>();
    read("corpus/heif/manifest.json", out);
    return out;
  }

  private static void read(String manifestPath, List<Entry> out) {
    try {
      JsonObject manifest =
          JsonParser.parseString(Files.readString(TestPhotos.resource(manifestPath)))
              .getAsJsonObject();
      for (JsonElement e : manifest.getAsJsonArray("files")) {
        JsonObject f = e.getAsJsonObject();
        boolean ok = f.get("expect").getAsString().equals("ok");
        out.add(
            new Entry(
                f.get("file").getAsString(),
                f.get("expect").getAsString(),
                f.get("bytes").getAsLong(),
                f.get("sha256").getAsString(),
                ok ? f.get("width").getAsInt() : 0,
                ok ? f.get("height").getAsInt() : 0,
                ok ? f.get("grid").getAsInt() : 0,
                ok ? doubles(f.get("means")) : null,
                f.has("unorientedMeans") ? doubles(f.get("unorientedMeans")) : null));
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  public static List<Entry> decodable() {
    return all().stream().filter(Entry::decodable).toList();
  }

  public static List<Entry> broken() {
    return all().stream().filter(e -> !e.decodable()).toList();
  }

  /**
   * Mean R, G, B of each cell of an n x n split of an RGB image, with the integer cell bounds
   * make_corpus.py uses.
   */
  public static double[] gridMeans(byte[] rgb, int width, int height, int n) {
    double[] out = new double[n * n * 3];
    for (int gy = 0; gy < n; gy++) {
      for (int gx = 0; gx < n; gx++) {
        int y0 = gy * height / n;
        int y1 = (gy + 1) * height / n;
        int x0 = gx * width / n;
        int x1 = (gx + 1) * width / n;
        long[] sum = new long[3];
        for (int y = y0; y < y1; y++) {
          for (int x = x0; x < x1; x++) {
            int i = (y * width + x) * 3;
            for (int c = 0; c < 3; c++) {
              sum[c] += rgb[i + c] & 0xFF;
            }
          }
        }
        long count = (long) (y1 - y0) * (x1 - x0);
        for (int c = 0; c < 3; c++) {
          out[(gy * n + gx) * 3 + c] = (double) sum[c] / count;
        }
      }
    }
    return out;
  }

  public static double meanAbsDiff(double[] a, double[] b) {
    double sum = 0;
    for (int i = 0; i < a.length; i++) {
      sum += Math.abs(a[i] - b[i]);
    }
    return sum / a.length;
  }

  private static double[] doubles(JsonElement e) {
    if (e == null || e.isJsonNull()) {
      return null;
    }
    var array = e.getAsJsonArray();
    double[] out = new double[array.size()];
    for (int i = 0; i < out.length; i++) {
      out[i] = array.get(i).getAsDouble();
    }
    return out;
  }
}
