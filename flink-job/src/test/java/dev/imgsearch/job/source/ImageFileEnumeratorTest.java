package dev.imgsearch.job.source;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collection;
import java.util.Set;
import java.util.stream.Collectors;
import org.apache.flink.connector.file.src.FileSourceSplit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Listing a real folder with the links and names users leave in it. */
class ImageFileEnumeratorTest {

  @TempDir Path dir;

  @Test
  void linksThatLeadNowhereAreListedForTheDeadLetterOutputInsteadOfFailingTheListing()
      throws Exception {
    Files.write(dir.resolve("a.jpg"), new byte[] {1});
    Files.createDirectories(dir.resolve("album.jpg"));
    Files.write(dir.resolve("album.jpg/b.png"), new byte[] {2});
    Files.createSymbolicLink(dir.resolve("loop"), dir); // a directory link: not followed
    Files.createSymbolicLink(dir.resolve("ping.jpg"), dir.resolve("pong.jpg"));
    Files.createSymbolicLink(dir.resolve("pong.jpg"), dir.resolve("ping.jpg"));
    Files.createSymbolicLink(dir.resolve("dangling.jpg"), dir.resolve("gone.jpg"));
    Files.createSymbolicLink(dir.resolve("dangling.txt"), dir.resolve("gone.txt"));
    Files.createSymbolicLink(dir.resolve(".hidden.jpg"), dir.resolve("gone.jpg"));
    Files.write(dir.resolve("notes.txt"), new byte[] {3});

    Collection<FileSourceSplit> splits =
        new ImageFileEnumerator(Set.of("jpg", "png"))
            .enumerateSplits(
                new org.apache.flink.core.fs.Path[] {
                  org.apache.flink.core.fs.Path.fromLocalFile(dir.toFile())
                },
                1);

    Set<String> names =
        splits.stream()
            .map(s -> dir.relativize(Path.of(s.path().toUri().getPath())).toString())
            .collect(Collectors.toSet());
    assertThat(names)
        .containsExactlyInAnyOrder(
            "a.jpg", "album.jpg/b.png", "ping.jpg", "pong.jpg", "dangling.jpg");
    // Each such link, read, becomes a dead letter that says what it is.
    ImageFile ping =
        WholeFileFormat.read(
            org.apache.flink.core.fs.Path.fromLocalFile(dir.resolve("ping.jpg").toFile()),
            0,
            0,
            1 << 20);
    assertThat(ping.bytes).isNull();
    assertThat(ping.readErrorDetail).contains("symbolic link that leads nowhere");
  }
}
