package dev.imgsearch.core.testing;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The committed real photos and their torchvision reference outputs ({@code
 * scripts/reference/make_reference.py} made them; NOTICE gives each photo's licence).
 */
public final class TestPhotos {

  /** One photo and what the reference pipeline saw: size after EXIF, size after Resize(256). */
  public record Photo(
      String file, String stem, int width, int height, int resizedWidth, int resizedHeight) {

    public Path path() {
      return resource("photos/" + file);
    }

    public byte[] bytes() {
      try {
        return Files.readAllBytes(path());
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }

    public Path referenceTensor() {
      return resource("reference/" + stem + ".tensor.npy");
    }

    public Path referenceTinyEmbedding() {
      return resource("reference/" + stem + ".tiny.npy");
    }

    @Override
    public String toString() {
      return file;
    }
  }

  private TestPhotos() {}

  public static List<Photo> all() {
    try {
      JsonObject manifest =
          JsonParser.parseString(Files.readString(resource("reference/manifest.json")))
              .getAsJsonObject();
      JsonArray photos = manifest.getAsJsonArray("photos");
      List<Photo> out = new ArrayList<>();
      for (JsonElement e : photos) {
        JsonObject p = e.getAsJsonObject();
        out.add(
            new Photo(
                p.get("file").getAsString(),
                p.get("stem").getAsString(),
                p.get("width").getAsInt(),
                p.get("height").getAsInt(),
                p.get("resizedWidth").getAsInt(),
                p.get("resizedHeight").getAsInt()));
      }
      return out;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  public static Photo named(String file) {
    return all().stream()
        .filter(p -> p.file().equals(file))
        .findFirst()
        .orElseThrow(() -> new IllegalArgumentException("no test photo " + file));
  }

  /**
   * A test resource as a file. Inside another module the resources come from this module's test
   * jar; they are then copied once into a temporary folder.
   */
  public static Path resource(String name) {
    URL url = TestPhotos.class.getResource("/" + name);
    if (url == null) {
      throw new IllegalArgumentException("test resource " + name + " is missing");
    }
    try {
      if (url.getProtocol().equals("file")) {
        return Path.of(url.toURI());
      }
      Path copy = extracted().resolve(name);
      if (!Files.exists(copy)) {
        Files.createDirectories(copy.getParent());
        try (InputStream in = url.openStream()) {
          Files.copy(in, copy);
        }
      }
      return copy;
    } catch (URISyntaxException e) {
      throw new IllegalStateException(e);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static Path extractedDir;

  private static synchronized Path extracted() throws IOException {
    if (extractedDir == null) {
      extractedDir = Files.createTempDirectory("imgsearch-test-resources");
      extractedDir.toFile().deleteOnExit();
    }
    return extractedDir;
  }

  public static Path tinyModel() {
    return resource("models/tiny-encoder.onnx");
  }
}
