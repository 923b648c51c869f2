package dev.imgsearch.job.deadletter;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.imgsearch.core.image.RejectReason;
import dev.imgsearch.job.decode.Rejection;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.apache.flink.api.connector.sink2.SinkWriter;
import org.apache.flink.connector.base.sink.writer.TestSinkInitContext;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** One dead-letter line per rejected file version, whatever a restart replays. */
class DeadLetterSinkTest {

  @TempDir Path dir;

  private void writeAll(Rejection... rejections) throws Exception {
    try (SinkWriter<Rejection> writer =
        new DeadLetterSink(dir).createWriter(new TestSinkInitContext())) {
      for (Rejection r : rejections) {
        writer.write(r, null);
      }
      writer.flush(true);
    }
  }

  private List<JsonObject> lines() throws Exception {
    List<JsonObject> out = new ArrayList<>();
    try (Stream<Path> files = Files.list(dir)) {
      for (Path f : files.toList()) {
        for (String line : Files.readAllLines(f, StandardCharsets.UTF_8)) {
          out.add(JsonParser.parseString(line).getAsJsonObject());
        }
      }
    }
    return out;
  }

  @Test
  void aRejectionReplayedAfterARestartIsWrittenOnce() throws Exception {
    Rejection truncated =
        Rejection.of("/in/cut.jpg", 1_000, RejectReason.TRUNCATED, "no EOI", 5_000);
    writeAll(truncated, truncated);
    // A restart: a new writer, the same rejection replayed (a new time, the same file version).
    writeAll(Rejection.of("/in/cut.jpg", 1_000, RejectReason.TRUNCATED, "no EOI", 9_000));

    assertThat(lines())
        .singleElement()
        .satisfies(
            line -> {
              assertThat(line.get("path").getAsString()).isEqualTo("/in/cut.jpg");
              assertThat(line.get("reason").getAsString()).isEqualTo("TRUNCATED");
              assertThat(line.get("mtimeMs").getAsLong()).isEqualTo(1_000);
              assertThat(line.get("fix").getAsString()).isNotBlank();
            });
  }

  @Test
  void aChangedFileRejectedAgainGetsALineOfItsOwn() throws Exception {
    writeAll(Rejection.of("/in/a.jpg", 1_000, RejectReason.TRUNCATED, "no EOI", 5_000));
    writeAll(Rejection.of("/in/a.jpg", 2_000, RejectReason.CORRUPT, "bad Huffman", 6_000));

    assertThat(lines())
        .extracting(l -> l.get("mtimeMs").getAsLong())
        .containsExactly(1_000L, 2_000L);
  }

  @Test
  void aLineCutByACrashDoesNotStopTheWriter() throws Exception {
    Files.writeString(
        dir.resolve("rejected-0.jsonl"), "{\"path\": \"/in/half", StandardCharsets.UTF_8);
    writeAll(Rejection.of("/in/b.jpg", 1, RejectReason.EMPTY, "0 bytes", 1));

    assertThat(Files.readAllLines(dir.resolve("rejected-0.jsonl"))).hasSize(2);
  }
}
