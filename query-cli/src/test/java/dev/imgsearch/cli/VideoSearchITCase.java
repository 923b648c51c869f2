package dev.imgsearch.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.imgsearch.cli.render.GridLayout;
import dev.imgsearch.cli.render.Thumbnails;
import dev.imgsearch.cli.testing.CliRun;
import dev.imgsearch.core.config.Device;
import dev.imgsearch.core.config.MilvusConfig;
import dev.imgsearch.core.config.ModelConfig;
import dev.imgsearch.core.embed.OnnxEmbedder;
import dev.imgsearch.core.preprocess.TorchvisionPreprocessor;
import dev.imgsearch.core.store.CollectionSpec;
import dev.imgsearch.core.store.ImageIds;
import dev.imgsearch.core.store.ImageRecord;
import dev.imgsearch.core.store.MilvusImageStore;
import dev.imgsearch.core.testing.MilvusServerExtension;
import dev.imgsearch.core.testing.TestPhotos;
import dev.imgsearch.core.testing.TestVideos;
import dev.imgsearch.core.video.FrameTime;
import dev.imgsearch.core.video.VideoFrame;
import dev.imgsearch.core.video.VideoFrameSampler;
import dev.imgsearch.core.video.VideoSampling;
import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * Video hits in the CLI against a real Milvus: the frames of a real H.264 video are sampled and
 * embedded as the job does it, and a search for one of them shows the video's path with the frame
 * time, in text, JSON, the PNG grid and the HTML page (the frame extracted again from the video).
 */
@ExtendWith(MilvusServerExtension.class)
class VideoSearchITCase {

  @TempDir Path dir;

  @Test
  void videoHitShowsPathFrameTimeAndTheFrameItself(MilvusConfig config) throws Exception {
    Path video = Files.copy(TestVideos.path(TestVideos.H264_MP4), dir.resolve("cup.mp4"));
    List<VideoFrame> frames = new ArrayList<>();
    try (VideoFrameSampler sampler = VideoFrameSampler.open(video, VideoSampling.defaults())) {
      for (VideoFrame f = sampler.next(); f != null; f = sampler.next()) {
        frames.add(f);
      }
    }
    try (OnnxEmbedder embedder =
        OnnxEmbedder.open(ModelConfig.of(TestPhotos.tinyModel()).withDevice(Device.CPU))) {
      TorchvisionPreprocessor pre = new TorchvisionPreprocessor(embedder.preprocessSpec());
      List<ImageRecord> rows = new ArrayList<>();
      for (VideoFrame f : frames) {
        rows.add(
            ImageRecord.of(
                video,
                f.frameMs(),
                embedder.embed(List.of(pre.preprocess(f.image())))[0],
                HexFormat.of()
                    .formatHex(MessageDigest.getInstance("SHA-256").digest(f.image().rgb())),
                Files.size(video),
                f.image().width(),
                f.image().height(),
                Files.getLastModifiedTime(video).toMillis(),
                embedder.model().id(),
                System.currentTimeMillis()));
      }
      try (MilvusImageStore store =
          MilvusImageStore.open(config, CollectionSpec.forDimension(embedder.dimension()))) {
        store.upsert(rows);
      }
    }
    // The query: the frame at about 3 s, saved losslessly as a PNG.
    VideoFrame target = frames.get(3);
    String time = FrameTime.format(target.frameMs());
    assertThat(time).startsWith("00:03.");
    Path query = dir.resolve("query.png");
    ImageIO.write(Thumbnails.toBufferedImage(target.image()), "png", query.toFile());
    String path = ImageIds.normalize(video);

    CliRun text = CliRun.against(config, "search", "--model", model(), "-k", "3", query.toString());
    assertThat(text.exitCode()).as(text.err()).isZero();
    assertThat(text.out()).contains("     1  1.0000      " + path + "  @ " + time + "\n");

    CliRun json =
        CliRun.against(config, "search", "--model", model(), "-k", "3", "--json", query.toString());
    assertThat(json.exitCode()).as(json.err()).isZero();
    JsonObject hit =
        JsonParser.parseString(json.out())
            .getAsJsonObject()
            .getAsJsonArray("queries")
            .get(0)
            .getAsJsonObject()
            .getAsJsonArray("hits")
            .get(0)
            .getAsJsonObject();
    assertThat(hit.get("path").getAsString()).isEqualTo(path);
    assertThat(hit.get("frameMs").getAsLong()).isEqualTo(target.frameMs());
    assertThat(hit.get("frameTime").getAsString()).isEqualTo(time);
    assertThat(hit.get("id").getAsString()).isEqualTo(ImageIds.of(video, target.frameMs()));

    Path grid = dir.resolve("out/grid.png");
    Path html = dir.resolve("out/result.html");
    Files.createDirectories(grid.getParent());
    CliRun render =
        CliRun.against(
            config,
            "search",
            "--model",
            model(),
            "-k",
            "3",
            "--grid",
            grid.toString(),
            "--html",
            html.toString(),
            query.toString());
    assertThat(render.exitCode()).as(render.err()).isZero();

    String page = Files.readString(html);
    assertThat(page).contains("frame " + time).doesNotContain("class=\"thumb ");
    // The query and its 3 hits all have a real picture: video frames are not placeholders.
    assertThat(page.split("data:image/jpeg;base64,", -1)).hasSize(1 + 1 + 3);

    // In the grid, the first hit's picture is the query's picture: the frame extracted again.
    BufferedImage png = ImageIO.read(grid.toFile());
    GridLayout layout = new GridLayout(1, 3);
    assertThat(png.getWidth()).isEqualTo(layout.width());
    assertThat(meanDifference(png, layout.thumbnail(0, 0), layout.thumbnail(0, 1))).isLessThan(1.0);
    // ...and differs from the other hits, which are other frames.
    assertThat(meanDifference(png, layout.thumbnail(0, 0), layout.thumbnail(0, 3)))
        .isGreaterThan(1.0);
  }

  /** Mean absolute RGB difference of the centre 100x80 of two thumbnail boxes. */
  private static double meanDifference(BufferedImage png, GridLayout.Box a, GridLayout.Box b) {
    long sum = 0;
    int n = 0;
    for (int dy = -40; dy < 40; dy++) {
      for (int dx = -50; dx < 50; dx++) {
        int p = png.getRGB(a.x() + a.width() / 2 + dx, a.y() + a.height() / 2 + dy);
        int q = png.getRGB(b.x() + b.width() / 2 + dx, b.y() + b.height() / 2 + dy);
        for (int shift = 0; shift <= 16; shift += 8) {
          sum += Math.abs(((p >> shift) & 0xff) - ((q >> shift) & 0xff));
          n++;
        }
      }
    }
    return (double) sum / n;
  }

  private static String model() {
    return TestPhotos.tinyModel().toString();
  }
}
