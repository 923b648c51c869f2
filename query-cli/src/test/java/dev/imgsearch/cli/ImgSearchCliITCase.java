package dev.imgsearch.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.imgsearch.cli.render.GridLayout;
import dev.imgsearch.cli.testing.CliRun;
import dev.imgsearch.core.config.Device;
import dev.imgsearch.core.config.MilvusConfig;
import dev.imgsearch.core.config.ModelConfig;
import dev.imgsearch.core.embed.Npy;
import dev.imgsearch.core.embed.OnnxEmbedder;
import dev.imgsearch.core.image.DecodedImage;
import dev.imgsearch.core.image.DecoderOptions;
import dev.imgsearch.core.image.ImageDecoder;
import dev.imgsearch.core.preprocess.TorchvisionPreprocessor;
import dev.imgsearch.core.store.CollectionSpec;
import dev.imgsearch.core.store.ImageIds;
import dev.imgsearch.core.store.ImageRecord;
import dev.imgsearch.core.store.MilvusImageStore;
import dev.imgsearch.core.testing.MilvusServerExtension;
import dev.imgsearch.core.testing.TestPhotos;
import dev.imgsearch.options.ExitCodes;
import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.stream.Stream;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * The CLI in-process against a real Milvus: the test photos are embedded with the tiny encoder and
 * upserted through the store, then every command runs as a user would run it.
 */
@ExtendWith(MilvusServerExtension.class)
class ImgSearchCliITCase {

  private static OnnxEmbedder embedder;

  @TempDir Path dir;

  @BeforeAll
  static void loadModel() {
    embedder = OnnxEmbedder.open(ModelConfig.of(TestPhotos.tinyModel()).withDevice(Device.CPU));
  }

  @AfterAll
  static void closeModel() {
    embedder.close();
  }

  /** Copies the test photos to the temp dir, plus {@code extra} copies, and ingests them all. */
  private List<Path> ingest(MilvusConfig config, String... copiesOf) throws Exception {
    List<Path> files = new ArrayList<>();
    for (TestPhotos.Photo photo : TestPhotos.all()) {
      Path file = dir.resolve(photo.file());
      Files.copy(photo.path(), file);
      files.add(file);
    }
    for (String name : copiesOf) {
      Path copy = dir.resolve("copy-of-" + name);
      Files.copy(dir.resolve(name), copy);
      files.add(copy);
    }
    ImageDecoder decoder = new ImageDecoder(DecoderOptions.defaults());
    TorchvisionPreprocessor preprocessor = new TorchvisionPreprocessor(embedder.preprocessSpec());
    List<float[]> tensors = new ArrayList<>();
    List<DecodedImage> images = new ArrayList<>();
    for (Path file : files) {
      DecodedImage image = decoder.decode(Files.readAllBytes(file));
      images.add(image);
      tensors.add(preprocessor.preprocess(image));
    }
    float[][] vectors = embedder.embed(tensors);
    List<ImageRecord> rows = new ArrayList<>();
    for (int i = 0; i < files.size(); i++) {
      byte[] bytes = Files.readAllBytes(files.get(i));
      rows.add(
          ImageRecord.of(
              files.get(i),
              ImageRecord.STILL_IMAGE,
              vectors[i],
              HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes)),
              bytes.length,
              images.get(i).width(),
              images.get(i).height(),
              Files.getLastModifiedTime(files.get(i)).toMillis(),
              embedder.model().id(),
              System.currentTimeMillis()));
    }
    try (MilvusImageStore store =
        MilvusImageStore.open(config, CollectionSpec.forDimension(embedder.dimension()))) {
      store.upsert(rows);
    }
    return files;
  }

  private static String model() {
    return TestPhotos.tinyModel().toString();
  }

  private static String[] concat(String[] head, List<Path> tail) {
    return Stream.concat(Stream.of(head), tail.stream().map(Path::toString)).toArray(String[]::new);
  }

  @Test
  void searchFindsEachPhotoAsItsOwnFirstHit(MilvusConfig config) throws Exception {
    List<Path> files = ingest(config);

    CliRun text =
        CliRun.against(
            config, concat(new String[] {"search", "--model", model(), "--device", "cpu"}, files));

    assertThat(text.exitCode()).as(text.err()).isZero();
    assertThat(text.out())
        .contains("higher is closer")
        .contains("rank")
        .contains("embedding: ")
        .contains("search: ");
    for (Path file : files) {
      String normalized = ImageIds.normalize(file);
      assertThat(text.out())
          .contains(": " + file + "\n  rank  distance    path\n     1  1.0000      " + normalized);
    }

    CliRun json =
        CliRun.against(
            config,
            concat(new String[] {"search", "--model", model(), "--json", "-k", "2"}, files));
    assertThat(json.exitCode()).as(json.err()).isZero();
    JsonObject doc = JsonParser.parseString(json.out()).getAsJsonObject();
    assertThat(doc.get("metric").getAsString()).isEqualTo("COSINE");
    assertThat(doc.get("collection").getAsString()).isEqualTo(config.collection());
    assertThat(doc.get("model").getAsString()).isEqualTo(embedder.model().id());
    assertThat(doc.getAsJsonObject("timings").has("embedMs")).isTrue();
    assertThat(doc.getAsJsonObject("timings").has("searchMs")).isTrue();
    JsonArray queries = doc.getAsJsonArray("queries");
    assertThat(queries).hasSize(files.size());
    for (int i = 0; i < files.size(); i++) {
      JsonObject query = queries.get(i).getAsJsonObject();
      assertThat(query.get("image").getAsString()).isEqualTo(files.get(i).toString());
      JsonArray hits = query.getAsJsonArray("hits");
      assertThat(hits).hasSize(2);
      JsonObject first = hits.get(0).getAsJsonObject();
      assertThat(first.get("rank").getAsInt()).isEqualTo(1);
      assertThat(first.get("path").getAsString()).isEqualTo(ImageIds.normalize(files.get(i)));
      assertThat(first.get("distance").getAsFloat()).isGreaterThan(0.999f);
      assertThat(first.get("frameMs").getAsLong()).isEqualTo(-1);
      assertThat(first.get("width").getAsInt()).isPositive();
      assertThat(first.get("height").getAsInt()).isPositive();
      assertThat(first.get("id").getAsString()).isNotEmpty();
      assertThat(hits.get(1).getAsJsonObject().get("distance").getAsFloat())
          .isLessThanOrEqualTo(first.get("distance").getAsFloat());
    }
  }

  @Test
  void gridAndHtmlShowQueriesAndHitsWithPlaceholdersForMissingFiles(MilvusConfig config)
      throws Exception {
    List<Path> files = ingest(config);
    List<Path> queries = files.subList(0, 3);
    Path missing = dir.resolve("dogs.jpg");
    Path query = dir.resolve("query-dogs.jpg");
    Files.move(missing, query);
    Path grid = dir.resolve("out/grid.png");
    Path html = dir.resolve("out/result.html");
    Files.createDirectories(grid.getParent());

    List<Path> args = new ArrayList<>(queries);
    args.add(query);
    CliRun run =
        CliRun.against(
            config,
            concat(
                new String[] {
                  "search",
                  "--model",
                  model(),
                  "-k",
                  "4",
                  "--grid",
                  grid.toString(),
                  "--html",
                  html.toString()
                },
                args));

    assertThat(run.exitCode()).as(run.err()).isZero();
    BufferedImage png = ImageIO.read(grid.toFile());
    GridLayout layout = new GridLayout(4, 4);
    assertThat(png.getWidth()).isEqualTo(layout.width());
    assertThat(png.getHeight()).isEqualTo(layout.height());
    assertThat(run.out()).contains("wrote " + grid + " (" + layout.width() + "x" + layout.height());
    String page = Files.readString(html);
    assertThat(page).startsWith("<!DOCTYPE html>").contains("data:image/jpeg;base64,");
    assertThat(page.split("<figure", -1)).hasSize(1 + 4 * 5);
    // dogs.jpg was moved after ingestion: its own hit is drawn as a placeholder.
    assertThat(page).contains("<div class=\"thumb missing\">missing</div>");
    assertThat(page).contains(">query<").doesNotContain("<script");
  }

  @Test
  void embedWritesNpyMatchingTheReference(MilvusConfig unused) throws Exception {
    List<TestPhotos.Photo> photos = TestPhotos.all();
    Path npy = dir.resolve("vectors.npy");
    List<Path> paths = photos.stream().map(TestPhotos.Photo::path).toList();

    CliRun run =
        CliRun.of(
            concat(new String[] {"embed", "--model", model(), "--npy", npy.toString()}, paths));

    assertThat(run.exitCode()).as(run.err()).isZero();
    assertThat(run.out()).contains("[" + photos.size() + ", 32] float32");
    Npy.FloatArray array = Npy.read(npy);
    assertThat(array.shape()).containsExactly(photos.size(), 32);
    for (int i = 0; i < photos.size(); i++) {
      float[] reference = Npy.read(photos.get(i).referenceTinyEmbedding()).data();
      double dot = 0;
      double norm = 0;
      for (int j = 0; j < 32; j++) {
        dot += array.data()[i * 32 + j] * reference[j];
        norm += reference[j] * reference[j];
      }
      assertThat(dot / Math.sqrt(norm)).as(photos.get(i).file()).isGreaterThan(0.9999);
    }

    CliRun json = CliRun.of("embed", "--model", model(), "--json", paths.get(0).toString());
    assertThat(json.exitCode()).as(json.err()).isZero();
    JsonObject item = JsonParser.parseString(json.out()).getAsJsonArray().get(0).getAsJsonObject();
    assertThat(item.get("dimension").getAsInt()).isEqualTo(32);
    assertThat(item.getAsJsonArray("vector")).hasSize(32);
    assertThat(item.get("image").getAsString()).isEqualTo(paths.get(0).toString());
  }

  @Test
  void statsShowsCountDimensionMetricIndexAndModels(MilvusConfig config) throws Exception {
    List<Path> files = ingest(config);

    CliRun run = CliRun.against(config, "stats");

    assertThat(run.exitCode()).as(run.err()).isZero();
    assertThat(run.out())
        .contains("collection  " + config.collection())
        .contains("rows        " + files.size())
        .contains("dimension   32")
        .contains("metric      COSINE (higher is closer)")
        .contains("index       ")
        .contains(embedder.model().id() + "  " + files.size() + " rows");
    assertThat(run.out()).doesNotContain("token");

    CliRun json = CliRun.against(config, "stats", "--json");
    JsonObject doc = JsonParser.parseString(json.out()).getAsJsonObject();
    assertThat(doc.get("rows").getAsLong()).isEqualTo(files.size());
    assertThat(doc.get("dimension").getAsInt()).isEqualTo(32);
    assertThat(doc.getAsJsonObject("models").get(embedder.model().id()).getAsLong())
        .isEqualTo(files.size());
  }

  @Test
  void duplicatesFindsTheSameBytesUnderTwoPaths(MilvusConfig config) throws Exception {
    ingest(config, "coffee.jpg");

    // The tiny test encoder puts some different photos within 0.99 of each other.
    CliRun run = CliRun.against(config, "duplicates", "--threshold", "0.9999");

    assertThat(run.exitCode()).as(run.err()).isZero();
    String original = ImageIds.normalize(dir.resolve("coffee.jpg"));
    String copy = ImageIds.normalize(dir.resolve("copy-of-coffee.jpg"));
    assertThat(run.out())
        .contains("group 1: 2 images, same bytes")
        .contains("  " + original + "\n")
        .contains("  " + copy + "\n")
        .contains("1 groups, 2 images in them");

    CliRun json = CliRun.against(config, "duplicates", "--json", "--threshold", "0.9999");
    JsonObject doc = JsonParser.parseString(json.out()).getAsJsonObject();
    assertThat(doc.get("rowsScanned").getAsInt()).isEqualTo(TestPhotos.all().size() + 1);
    JsonArray groups = doc.getAsJsonArray("groups");
    assertThat(groups).hasSize(1);
    JsonObject group = groups.get(0).getAsJsonObject();
    assertThat(group.get("sameContent").getAsBoolean()).isTrue();
    assertThat(group.getAsJsonArray("members")).hasSize(2);
  }

  @Test
  void unreachableMilvusExitsWith3NamingTheUri() {
    CliRun run = CliRun.of("stats", "--milvus-uri", "http://127.0.0.1:1", "--connect-timeout", "1");

    assertThat(run.exitCode()).isEqualTo(ExitCodes.MILVUS_UNREACHABLE);
    assertThat(run.err().lines()).hasSize(1);
    assertThat(run.err())
        .startsWith("error: cannot reach Milvus at http://127.0.0.1:1")
        .contains("scripts/milvus-lite.sh start");
  }

  @Test
  void missingQueryImageExitsWith2NamingPathAndFix(MilvusConfig config) throws Exception {
    ingest(config);
    Path absent = dir.resolve("no-such.jpg");
    Path notAnImage = Files.writeString(dir.resolve("notes.jpg"), "just text, not a JPEG");

    CliRun missing = CliRun.against(config, "search", "--model", model(), absent.toString());
    CliRun garbage = CliRun.against(config, "search", "--model", model(), notAnImage.toString());

    assertThat(missing.exitCode()).isEqualTo(ExitCodes.BAD_INPUT);
    assertThat(missing.err().lines()).hasSize(1);
    assertThat(missing.err())
        .startsWith("error: cannot use query image " + absent)
        .contains("no such file")
        .contains("check that it still exists");
    assertThat(garbage.exitCode()).isEqualTo(ExitCodes.BAD_INPUT);
    assertThat(garbage.err()).contains(notAnImage.toString()).contains("not a known image format");
  }

  @Test
  void missingCollectionExitsWith1SayingHowToCreateIt(MilvusConfig config) {
    CliRun run =
        CliRun.against(
            config, "search", "--model", model(), TestPhotos.all().get(0).path().toString());

    assertThat(run.exitCode()).isEqualTo(ExitCodes.FAILURE);
    assertThat(run.err().lines()).hasSize(1);
    assertThat(run.err())
        .startsWith("error: Collection '" + config.collection() + "' does not exist")
        .contains("flink-job.jar");
  }

  @Test
  void modelOfAnotherDimensionExitsWith1NamingBoth(MilvusConfig config) {
    try (MilvusImageStore store = MilvusImageStore.open(config, CollectionSpec.forDimension(8))) {
      // an empty 8-d collection
    }

    CliRun run =
        CliRun.against(
            config, "search", "--model", model(), TestPhotos.all().get(0).path().toString());

    assertThat(run.exitCode()).isEqualTo(ExitCodes.FAILURE);
    assertThat(run.err().lines()).hasSize(1);
    assertThat(run.err()).contains("produces 32-d vectors").contains("stores 8-d vectors");
  }

  @Test
  void stacktraceOptionAddsTheTrace(MilvusConfig config) {
    CliRun run =
        CliRun.against(
            config, "search", "--stacktrace", "--model", model(), dir.resolve("x.jpg").toString());

    assertThat(run.exitCode()).isEqualTo(ExitCodes.BAD_INPUT);
    assertThat(run.err().lines().count()).isGreaterThan(2);
    assertThat(run.err()).contains("at dev.imgsearch.cli.");
  }
}
