package dev.imgsearch.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.imgsearch.cli.testing.CliRun;
import dev.imgsearch.core.config.MilvusConfig;
import dev.imgsearch.core.store.CollectionSpec;
import dev.imgsearch.core.store.FilterExpressions;
import dev.imgsearch.core.store.ImageIds;
import dev.imgsearch.core.store.ImageRecord;
import dev.imgsearch.core.store.MilvusImageStore;
import dev.imgsearch.core.testing.MilvusServerExtension;
import dev.imgsearch.core.testing.TestPhotos;
import dev.imgsearch.options.ExitCodes;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/** {@code prune} against a real Milvus, over real files of which some are deleted. */
@ExtendWith(MilvusServerExtension.class)
class PruneCommandITCase {

  private static final int DIM = 32;

  @TempDir Path dir;
  @TempDir Path elsewhere;

  @Test
  void prunesRowsOfMissingFilesUnderTheSourceOnly(MilvusConfig config) throws Exception {
    Path dir = this.dir.resolve("photos");
    Path kept = copy("coffee.jpg", dir.resolve("kept.jpg"));
    Path gone = copy("dogs.jpg", dir.resolve("sub/gone.jpg"));
    Path hostile = copy("hubble.jpg", dir.resolve("a\" or filepath != \"b.jpg"));
    Path video = copy("astronaut.jpg", dir.resolve("clip.mp4")); // two frames' rows
    Path sibling = copy("chelsea.png", this.dir.resolve("photos-2/x.png"));
    Path outside = copy("coffee.jpg", elsewhere.resolve("outside.jpg"));
    List<ImageRecord> rows = new ArrayList<>();
    for (Path p : List.of(kept, gone, hostile, sibling, outside)) {
      rows.add(row(p, ImageRecord.STILL_IMAGE));
    }
    rows.add(row(video, 0));
    rows.add(row(video, 1000));
    try (MilvusImageStore store = MilvusImageStore.open(config, CollectionSpec.forDimension(DIM))) {
      store.upsert(rows);
    }
    for (Path p : List.of(gone, hostile, video, sibling, outside)) {
      Files.delete(p);
    }

    CliRun dry = CliRun.against(config, "prune", "--source", dir.toString(), "--dry-run");
    assertThat(dry.exitCode()).as(dry.err()).isZero();
    assertThat(dry.out())
        .contains(ImageIds.normalize(gone) + "\n")
        .contains(ImageIds.normalize(hostile) + "\n")
        .contains(ImageIds.normalize(video) + "\n")
        .doesNotContain(ImageIds.normalize(sibling))
        .contains("would prune 4 rows of 3 missing files under " + ImageIds.normalize(dir))
        .contains("(7 rows scanned)");
    try (MilvusImageStore store = MilvusImageStore.open(config, CollectionSpec.forDimension(DIM))) {
      assertThat(store.count()).as("a dry run deletes nothing").isEqualTo(7);
    }

    CliRun prune = CliRun.against(config, "prune", "--source", dir.toString());
    assertThat(prune.exitCode()).as(prune.err()).isZero();
    assertThat(prune.out()).contains("pruned 4 rows of 3 missing files");
    try (MilvusImageStore store = MilvusImageStore.open(config, CollectionSpec.forDimension(DIM))) {
      List<String> left = new ArrayList<>();
      store.scanFilepaths(100, left::addAll);
      // The missing files of other folders stay: prune touches --source only, even a folder whose
      // name merely starts with the same characters.
      assertThat(left)
          .containsExactlyInAnyOrder(
              ImageIds.normalize(kept), ImageIds.normalize(sibling), ImageIds.normalize(outside));
      assertThat(store.count(FilterExpressions.filepathEquals(ImageIds.normalize(video)))).isZero();
    }

    CliRun again = CliRun.against(config, "prune", "--source", dir.toString());
    assertThat(again.out()).contains("pruned 0 rows of 0 missing files");
  }

  @Test
  void aMissingSourceFolderIsRefusedRatherThanPruningEverything(MilvusConfig config) {
    CliRun run = CliRun.against(config, "prune", "--source", dir.resolve("unmounted").toString());

    assertThat(run.exitCode()).isEqualTo(ExitCodes.BAD_INPUT);
    assertThat(run.err()).contains("is not a folder").contains("create the empty folder");
  }

  private static Path copy(String photo, Path target) throws Exception {
    Files.createDirectories(target.getParent());
    return Files.copy(TestPhotos.named(photo).path(), target);
  }

  private static ImageRecord row(Path file, long frameMs) throws Exception {
    byte[] bytes = Files.readAllBytes(file);
    float[] vector = new float[DIM];
    Random random = new Random(file.hashCode() + frameMs);
    for (int i = 0; i < DIM; i++) {
      vector[i] = (float) random.nextGaussian();
    }
    return ImageRecord.of(
        file,
        frameMs,
        vector,
        HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes)),
        bytes.length,
        640,
        480,
        Files.getLastModifiedTime(file).toMillis(),
        "tiny-encoder-test",
        System.currentTimeMillis());
  }
}
