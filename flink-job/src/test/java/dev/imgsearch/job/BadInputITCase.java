package dev.imgsearch.job;

import static dev.imgsearch.job.testing.JobTestSupport.jobArgs;
import static dev.imgsearch.job.testing.JobTestSupport.miniCluster;
import static dev.imgsearch.job.testing.JobTestSupport.openStore;
import static org.assertj.core.api.Assertions.assertThat;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.imgsearch.core.config.MilvusConfig;
import dev.imgsearch.core.store.ImageIds;
import dev.imgsearch.core.store.ImageRecord;
import dev.imgsearch.core.store.MilvusImageStore;
import dev.imgsearch.core.testing.Corpus;
import dev.imgsearch.core.testing.MilvusServerExtension;
import dev.imgsearch.core.testing.TestPhotos;
import dev.imgsearch.job.source.ListingHooks;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.Consumer;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.apache.flink.api.common.JobExecutionResult;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * The job over everything users drop into a folder: the corpus of real odd and broken image files
 * (core/src/test/resources/corpus) and the file-system oddities git cannot hold. One {@code once}
 * run on a MiniCluster with the tiny encoder and a real Milvus; every decodable file must become
 * exactly one row, every broken one a dead letter with its specific reason, and the counts of the
 * run must add up.
 */
@ExtendWith(MilvusServerExtension.class)
class BadInputITCase {

  @RegisterExtension static final MiniClusterExtension FLINK = miniCluster(2, null);

  private static final String OK = "ok";
  private static final long AN_HOUR_AGO = System.currentTimeMillis() - 3_600_000;
  private static final int NESTED_FILES = 1_000;
  private static final int NESTED_DEPTH = 20;

  @TempDir Path source;
  @TempDir Path deadLetters;

  /** Absolute path of each file in the folder, and "ok" or the reason it must be rejected. */
  private final Map<String, String> expected = new TreeMap<>();

  /** Whether the file without read permission can be read all the same (as root it can). */
  private boolean lockedReadable;

  /** The detail of each dead letter, by path. */
  private final Map<String, String> details = new TreeMap<>();

  @Test
  void everyGoodFileIsARowAndEveryBadOneADeadLetterWithItsReason(MilvusConfig milvus)
      throws Exception {
    copyCorpus();
    addOddNames();
    addFileSystemOddities();
    Path vanishing = put("fs/vanishing.jpg", good("good/gray.jpg"), "UNREADABLE");
    // A copy in progress under its final name: it grows a little every 200 ms until the job has
    // read it, then the rest arrives at once.
    byte[] arrivingBytes = good("good/icc-srgb.jpg");
    SlowCopy copy = new SlowCopy(source.resolve("fs/arriving.jpg"), arrivingBytes);
    expected.put(abs(copy.target), OK);
    addNestedFiles();

    // Right after the listing, before any read: the user deletes one file, and the copy goes on.
    Thread copier = new Thread(copy, "slow copy");
    Consumer<List<Path>> afterListing =
        listed -> {
          assertThat(listed).contains(vanishing, copy.target);
          try {
            Files.delete(vanishing);
          } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
          }
          copier.start();
        };

    IngestLaunch launch = launch(milvus);
    JobExecutionResult result =
        launch.build(ListingHooks.folder(launch.config(), afterListing)).execute();
    copier.join();
    JobSummary summary = JobSummary.from(result);
    System.out.println(summary.format());
    System.out.println(
        "arriving.jpg: " + (copy.readWhileGrowing ? "read while still being copied" : copy.note));
    if (accessTimeIsRecorded()) {
      // The case is only what it claims if the job really read the file half-written.
      assertThat(copy.readWhileGrowing).as("arriving.jpg was read while being copied").isTrue();
    }

    Map<String, String> rejected = deadLetterReasons();
    assertThat(details.get(abs(source.resolve("fs/ping.jpg")))).contains("symbolic link");
    assertThat(details.get(abs(vanishing))).contains("disappeared");
    if (!lockedReadable) {
      assertThat(details.get(abs(source.resolve("fs/locked.jpg")))).contains("permission denied");
    }
    Map<String, Long> expectedRejects =
        expected.values().stream()
            .filter(r -> !r.equals(OK))
            .collect(Collectors.groupingBy(r -> r, TreeMap::new, Collectors.counting()));
    List<String> good =
        expected.entrySet().stream()
            .filter(e -> e.getValue().equals(OK))
            .map(Map.Entry::getKey)
            .toList();

    // The counts of the run add up, and match what was dropped.
    assertThat(summary.filesSeen()).isEqualTo(expected.size());
    assertThat(summary.filesSeen()).isEqualTo(summary.embedded() + summary.rejected());
    assertThat(summary.embedded()).isEqualTo(good.size());
    assertThat(summary.rejectedByReason()).containsExactlyInAnyOrderEntriesOf(expectedRejects);

    // Each broken file is a dead letter with its own reason, and nothing else is.
    Map<String, String> expectedDead = new TreeMap<>(expected);
    expectedDead.values().removeIf(OK::equals);
    assertThat(rejected).containsExactlyInAnyOrderEntriesOf(expectedDead);

    try (MilvusImageStore store = openStore(milvus)) {
      // No good image lost: each has its row, with the size the decoder saw.
      Map<String, String> idToPath = new TreeMap<>();
      good.forEach(p -> idToPath.put(ImageIds.ofNormalized(p, -1), p));
      List<ImageRecord> rows = store.get(idToPath.keySet());
      assertThat(rows.stream().map(ImageRecord::filepath).collect(Collectors.toSet()))
          .containsExactlyInAnyOrderElementsOf(good);
      ImageRecord arrived =
          rows.stream()
              .filter(r -> r.filepath().equals(abs(copy.target)))
              .findFirst()
              .orElseThrow();
      assertThat(arrived.sizeBytes()).isEqualTo(arrivingBytes.length);

      // No duplicates and nothing extra: every row in the collection is a distinct good file.
      List<String> ids = new ArrayList<>();
      store.scan(500, batch -> batch.forEach(r -> ids.add(r.id())));
      assertThat(ids).hasSize(good.size());
      assertThat(new HashSet<>(ids)).hasSize(ids.size()).isEqualTo(idToPath.keySet());
      assertThat(store.count()).isEqualTo(good.size());
    }
  }

  // --- the folder --------------------------------------------------------------------------

  /** Every corpus file, and the format variants ImageDecoderTest uses. */
  private void copyCorpus() throws IOException {
    for (Corpus.Entry e : Corpus.all()) {
      put("corpus/" + e.file(), Files.readAllBytes(e.path()), e.expect());
    }
    for (String f : List.of("coffee-cmyk.jpg", "coffee-gray.jpg", "coffee-progressive.jpg")) {
      put("corpus/formats/" + f, Files.readAllBytes(TestPhotos.resource("formats/" + f)), OK);
    }
  }

  private void addOddNames() throws IOException {
    put("names/with spaces/a photo of  a cat.png", good("good/palette.png"), OK);
    put("names/ünïcødé/café ☕ 写真.jpg", good("good/progressive-portrait.jpg"), OK);
    put("names/ünïcødé/Снимок экрана.webp", good("good/lossy.webp"), OK);
    put("names/'quotes\" and ; $(semicolons).jpg", good("good/gray.jpg"), OK);
    // A directory with an image's name is searched, never read as a file.
    Files.createDirectories(source.resolve("names/album.jpg"));
    put("names/album.jpg/inside.png", good("good/rgba.png"), OK);
  }

  private void addFileSystemOddities() throws IOException {
    Path fs = Files.createDirectories(source.resolve("fs"));
    // A link to an ancestor folder: followed, it would list the folder forever.
    Files.createSymbolicLink(fs.resolve("loop"), fs);
    // Two file links pointing at each other: opening either fails with "too many levels".
    Files.createSymbolicLink(fs.resolve("ping.jpg"), fs.resolve("pong.jpg"));
    Files.createSymbolicLink(fs.resolve("pong.jpg"), fs.resolve("ping.jpg"));
    expected.put(abs(fs.resolve("ping.jpg")), "UNREADABLE");
    expected.put(abs(fs.resolve("pong.jpg")), "UNREADABLE");

    // No read permission. Root reads it anyway: then it is a good image like any other.
    Path locked = put("fs/locked.jpg", good("good/cmyk-adobe.jpg"), OK);
    Files.setPosixFilePermissions(locked, PosixFilePermissions.fromString("---------"));
    lockedReadable = canRead(locked);
    expected.put(abs(locked), lockedReadable ? OK : "UNREADABLE");
    System.out.println(
        "locked.jpg is " + (lockedReadable ? "readable (running as root)" : "unreadable"));
  }

  /** 1,000 small real images spread over a chain of 20 nested folders. */
  private void addNestedFiles() throws IOException {
    List<Corpus.Entry> small = Corpus.decodable().stream().filter(e -> e.bytes() < 8_000).toList();
    for (int i = 0; i < NESTED_FILES; i++) {
      StringBuilder dir = new StringBuilder("nested");
      for (int level = 0; level <= i % NESTED_DEPTH; level++) {
        dir.append("/level-").append(level);
      }
      Corpus.Entry e = small.get(i % small.size());
      String ext = e.file().substring(e.file().lastIndexOf('.'));
      put(dir + "/file-" + i + ext, Files.readAllBytes(e.path()), OK);
    }
  }

  private Path put(String name, byte[] bytes, String expect) throws IOException {
    Path p = source.resolve(name);
    Files.createDirectories(p.getParent());
    Files.write(p, bytes);
    // Files that users dropped a while ago: not taken for copies still in progress.
    Files.setLastModifiedTime(p, FileTime.fromMillis(AN_HOUR_AGO));
    expected.put(abs(p), expect);
    return p;
  }

  private static byte[] good(String corpusFile) throws IOException {
    return Files.readAllBytes(TestPhotos.resource("corpus/" + corpusFile));
  }

  private static boolean canRead(Path p) {
    try (InputStream in = Files.newInputStream(p)) {
      in.read();
      return true;
    } catch (AccessDeniedException e) {
      return false;
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  // --- the job -----------------------------------------------------------------------------

  private IngestLaunch launch(MilvusConfig milvus) {
    return IngestLaunch.of(jobArgs(milvus, source, deadLetters, "once", "--settle-ms", "1500"));
  }

  private Map<String, String> deadLetterReasons() throws IOException {
    Map<String, String> out = new TreeMap<>();
    Set<String> seen = new HashSet<>();
    try (Stream<Path> files = Files.list(deadLetters)) {
      for (Path f : files.toList()) {
        for (String line : Files.readAllLines(f, StandardCharsets.UTF_8)) {
          JsonObject o = JsonParser.parseString(line).getAsJsonObject();
          String path = o.get("path").getAsString();
          assertThat(seen.add(path)).as("one dead letter for " + path).isTrue();
          assertThat(o.get("detail").getAsString()).as(path).isNotBlank();
          out.put(path, o.get("reason").getAsString());
          details.put(path, o.get("detail").getAsString());
        }
      }
    }
    return out;
  }

  private String abs(Path p) {
    return p.toAbsolutePath().normalize().toString();
  }

  /**
   * Whether reading a file updates its access time here (relatime or strictatime mounts do, noatime
   * does not): how the test sees that the job has read a file.
   */
  private boolean accessTimeIsRecorded() throws IOException {
    Path probe =
        Files.writeString(deadLetters.getParent().resolve("atime-probe-" + System.nanoTime()), "x");
    try {
      Files.setAttribute(probe, "lastAccessTime", FileTime.fromMillis(0));
      Files.readAllBytes(probe);
      return Files.readAttributes(probe, BasicFileAttributes.class).lastAccessTime().toMillis() > 0;
    } finally {
      Files.delete(probe);
    }
  }

  /**
   * A copy that is still going on: 40% of the file at first, 16 more bytes every 200 ms (so its
   * modification time stays fresh), and the rest once the job has read it, as its access time
   * shows. Gives up waiting after 90 s.
   */
  private static final class SlowCopy implements Runnable {
    final Path target;
    private final byte[] content;
    volatile boolean readWhileGrowing;
    volatile String note = "not started";

    SlowCopy(Path target, byte[] content) throws IOException {
      this.target = target;
      this.content = content;
      Files.createDirectories(target.getParent());
      Files.write(target, Arrays.copyOf(content, content.length * 4 / 10));
      Files.setAttribute(target, "lastAccessTime", FileTime.fromMillis(0));
    }

    @Override
    public void run() {
      try {
        int written = content.length * 4 / 10;
        long deadline = System.nanoTime() + 90_000_000_000L;
        while (!wasRead() && System.nanoTime() < deadline) {
          if (written + 16 < content.length) {
            Files.write(
                target,
                Arrays.copyOfRange(content, written, written + 16),
                StandardOpenOption.APPEND);
            written += 16;
          }
          Thread.sleep(200);
        }
        readWhileGrowing = wasRead();
        note = readWhileGrowing ? "read while growing" : "no read seen before the copy ended";
        Files.write(
            target,
            Arrays.copyOfRange(content, written, content.length),
            StandardOpenOption.APPEND);
      } catch (Exception e) {
        note = e.toString();
        throw new IllegalStateException(e);
      }
    }

    private boolean wasRead() throws IOException {
      return Files.readAttributes(target, BasicFileAttributes.class).lastAccessTime().toMillis()
          > 0;
    }
  }
}
