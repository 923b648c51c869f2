package dev.imgsearch.job.testing;

import static org.assertj.core.api.Assertions.assertThat;

import dev.imgsearch.core.config.MilvusConfig;
import dev.imgsearch.core.store.CollectionSpec;
import dev.imgsearch.core.store.MilvusImageStore;
import dev.imgsearch.core.store.StoreOptions;
import dev.imgsearch.core.testing.TestPhotos;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.runtime.testutils.InMemoryReporter;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.test.junit5.MiniClusterExtension;

/** What the job's integration tests share: arguments, real images, and reading Milvus. */
public final class JobTestSupport {

  /**
   * The MiniCluster the job tests run on: one TaskManager with {@code slots} slots, reporting to
   * {@code metrics} when not null.
   */
  public static MiniClusterExtension miniCluster(int slots, InMemoryReporter metrics) {
    Configuration conf = new Configuration();
    return new MiniClusterExtension(
        new MiniClusterResourceConfiguration.Builder()
            .setNumberTaskManagers(1)
            .setNumberSlotsPerTaskManager(slots)
            .setConfiguration(metrics == null ? conf : metrics.addToConfiguration(conf))
            .build());
  }

  /** The project's root folder, found above the module's working directory. */
  public static final Path ROOT = projectRoot();

  private JobTestSupport() {}

  /**
   * The job's arguments for a test: the tiny encoder on the CPU, small batches and short waits, so
   * that a handful of images flows through quickly; two decoders and one embedder, as {@code java
   * -jar} runs by default.
   */
  public static List<String> jobArgs(
      MilvusConfig milvus, Path source, Path deadLetters, String mode, String... extra) {
    List<String> args =
        new ArrayList<>(
            List.of(
                "--source",
                source.toString(),
                "--model",
                TestPhotos.tinyModel().toString(),
                "--milvus-uri",
                milvus.uri(),
                "--collection",
                milvus.collection(),
                "--mode",
                mode,
                "--dead-letter",
                deadLetters.toString(),
                "--device",
                "cpu",
                "--parallelism",
                "2",
                "--embed-parallelism",
                "1",
                "--intra-op-threads",
                "1",
                "--batch-size",
                "8",
                "--max-batch-wait-ms",
                "200",
                "--sink-flush-ms",
                "200",
                "--monitor-interval-ms",
                "300"));
    if (milvus.token() != null) {
      args.addAll(List.of("--token", milvus.token()));
    }
    args.addAll(List.of(extra));
    return args;
  }

  /** The test collection of the tiny (32-d) encoder, read with strong consistency. */
  public static MilvusImageStore openStore(MilvusConfig milvus) {
    return openStore(milvus, 32);
  }

  /** The test collection for vectors of {@code dimension}, read with strong consistency. */
  public static MilvusImageStore openStore(MilvusConfig milvus, int dimension) {
    return MilvusImageStore.open(
        milvus,
        CollectionSpec.forDimension(dimension),
        StoreOptions.defaults().withSearchConsistency(StoreOptions.ReadConsistency.STRONG));
  }

  public static void awaitCount(MilvusImageStore store, long expected, Duration timeout)
      throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (store.count() < expected && System.nanoTime() < deadline) {
      Thread.sleep(100);
    }
    assertThat(store.count()).as("rows in Milvus").isEqualTo(expected);
  }

  /** The committed test photos, copied into {@code dir}. */
  public static List<Path> copyPhotos(Path dir) throws IOException {
    Files.createDirectories(dir);
    List<Path> out = new ArrayList<>();
    for (TestPhotos.Photo p : TestPhotos.all()) {
      out.add(Files.copy(p.path(), dir.resolve(p.file())));
    }
    return out;
  }

  /** The first {@code n} real photos of the project's sample set, copied into {@code dir}. */
  public static List<Path> copySamples(Path dir, int n) throws IOException {
    Files.createDirectories(dir);
    try (Stream<Path> files = Files.list(ROOT.resolve("samples/images"))) {
      List<Path> out = new ArrayList<>();
      for (Path p : files.sorted().limit(n).collect(Collectors.toList())) {
        out.add(Files.copy(p, dir.resolve(p.getFileName())));
      }
      assertThat(out).hasSize(n);
      return out;
    }
  }

  private static Path projectRoot() {
    Path dir = Path.of("").toAbsolutePath();
    while (dir != null && !Files.isDirectory(dir.resolve("samples/images"))) {
      dir = dir.getParent();
    }
    if (dir == null) {
      throw new IllegalStateException(
          "samples/images not found above " + Path.of("").toAbsolutePath());
    }
    return dir;
  }
}
