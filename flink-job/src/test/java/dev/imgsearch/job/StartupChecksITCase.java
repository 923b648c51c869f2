package dev.imgsearch.job;

import static dev.imgsearch.job.testing.JobTestSupport.copyPhotos;
import static dev.imgsearch.job.testing.JobTestSupport.jobArgs;
import static org.assertj.core.api.Assertions.assertThat;

import dev.imgsearch.core.config.MilvusConfig;
import dev.imgsearch.core.store.CollectionSpec;
import dev.imgsearch.core.store.MilvusImageStore;
import dev.imgsearch.core.testing.MilvusServerExtension;
import dev.imgsearch.core.testing.TestPhotos;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 7: a model that does not fit the collection fails the job at start-up, before anything is
 * submitted, with one message naming the model file, the collection and the fix; never once per
 * record. (A missing or invalid model file: {@link IngestJobMainTest}, which needs no Milvus.)
 */
@ExtendWith(MilvusServerExtension.class)
class StartupChecksITCase {

  @TempDir Path source;
  @TempDir Path work;

  @Test
  void aModelWhoseDimensionDoesNotMatchTheCollectionFailsAtStartUp(MilvusConfig milvus)
      throws Exception {
    // The collection of another model: 64-d vectors; the tiny encoder produces 32-d ones.
    MilvusImageStore.open(milvus, CollectionSpec.forDimension(64)).close();
    copyPhotos(source);
    Files.write(source.resolve("broken.jpg"), new byte[] {1, 2, 3});
    Path deadLetters = work.resolve("dead-letters");
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();

    int code =
        IngestJobMain.run(
            jobArgs(milvus, source, deadLetters, "once").toArray(String[]::new),
            new PrintWriter(out, true),
            new PrintWriter(err, true));

    assertThat(code).isEqualTo(1);
    String model = TestPhotos.tinyModel().toString();
    assertThat(err.toString())
        .startsWith("error: model " + model + " (32-d): ")
        .contains("Collection '" + milvus.collection() + "' stores 64-d vectors")
        .contains("Use another collection (--collection) for this model")
        .doesNotContain("\tat ");
    assertThat(err.toString().lines().count()).as("lines of error output").isEqualTo(1);
    // No job ran: nothing stored, the broken file never reached the dead-letter output, and no
    // summary was printed.
    assertThat(out.toString()).isEmpty();
    assertThat(deadLetters).doesNotExist();
    try (MilvusImageStore store = MilvusImageStore.open(milvus, CollectionSpec.forDimension(64))) {
      assertThat(store.count()).isZero();
    }
  }
}
