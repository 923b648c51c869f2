package dev.imgsearch.job.deadletter;

import com.google.gson.Gson;
import com.google.gson.GsonBuilder;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParseException;
import com.google.gson.JsonParser;
import dev.imgsearch.job.decode.Rejection;
import java.io.BufferedWriter;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.HashSet;
import java.util.Set;
import org.apache.flink.api.connector.sink2.Sink;
import org.apache.flink.api.connector.sink2.SinkWriter;
import org.apache.flink.api.connector.sink2.WriterInitContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Writes rejected files as JSON lines, one file per subtask ({@code rejected-N.jsonl}), and logs
 * each one. Lines are appended and flushed at once so that users see them while the job runs.
 *
 * <p>Exactly one line per file version (path and modification time): a restart replays the files
 * read since the last checkpoint, and a fresh start without a savepoint reads the whole folder
 * again, so the same rejection comes again. Each writer reads the lines already in the folder when
 * it starts and writes only rejections it has not seen; the job keys this sink by path, so one
 * writer sees every rejection of a file. A changed file that is rejected again is a new version and
 * gets a line of its own.
 */
public class DeadLetterSink implements Sink<Rejection> {
  private static final long serialVersionUID = 1L;
  private static final Logger LOG = LoggerFactory.getLogger(DeadLetterSink.class);
  // No HTML escaping: quotes and = stay readable for grep and a text editor (JSON either way).
  private static final Gson GSON = new GsonBuilder().disableHtmlEscaping().create();
  static final String FILE_GLOB = "rejected-*.jsonl";

  /** Null: log only. */
  private final String directory;

  public DeadLetterSink(Path directory) {
    this.directory = directory == null ? null : directory.toString();
  }

  @Override
  public SinkWriter<Rejection> createWriter(WriterInitContext context) throws IOException {
    if (directory == null) {
      return new Writer(null, new HashSet<>());
    }
    Path dir = Files.createDirectories(Path.of(directory));
    Set<String> recorded = recorded(dir);
    Path file = dir.resolve("rejected-" + context.getTaskInfo().getIndexOfThisSubtask() + ".jsonl");
    BufferedWriter out =
        Files.newBufferedWriter(
            file, StandardCharsets.UTF_8, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
    if (endsInsideALine(file)) {
      out.newLine(); // a crash cut the last line: the next one starts on a line of its own
    }
    return new Writer(out, recorded);
  }

  /** One JSON object per line: path, reason, detail, fix, the file's version, time. */
  public static String toJson(Rejection r) {
    JsonObject o = new JsonObject();
    o.addProperty("path", r.path);
    o.addProperty("reason", r.reason.name());
    o.addProperty("detail", r.detail);
    o.addProperty("fix", r.fix);
    o.addProperty("mtimeMs", r.mtimeMs);
    o.addProperty("time", Instant.ofEpochMilli(r.timeMs).toString());
    return GSON.toJson(o);
  }

  /** The version of a file a line records: its path and modification time. */
  static String key(String path, long mtimeMs) {
    return mtimeMs + "\u0000" + path;
  }

  /** The file versions the folder's dead-letter files already record. */
  static Set<String> recorded(Path dir) throws IOException {
    Set<String> keys = new HashSet<>();
    try (DirectoryStream<Path> files = Files.newDirectoryStream(dir, FILE_GLOB)) {
      for (Path f : files) {
        for (String line : Files.readAllLines(f, StandardCharsets.UTF_8)) {
          try {
            JsonObject o = JsonParser.parseString(line).getAsJsonObject();
            JsonElement mtime = o.get("mtimeMs");
            keys.add(key(o.get("path").getAsString(), mtime == null ? -1 : mtime.getAsLong()));
          } catch (JsonParseException | IllegalStateException | NullPointerException e) {
            // A line cut by a crash mid-write: the rejection it held is written again.
            LOG.debug("Skipping an unreadable line of {}: {}", f, e.toString());
          }
        }
      }
    }
    return keys;
  }

  private static boolean endsInsideALine(Path file) throws IOException {
    long size = Files.size(file);
    if (size == 0) {
      return false;
    }
    try (var channel = Files.newByteChannel(file)) {
      java.nio.ByteBuffer last = java.nio.ByteBuffer.allocate(1);
      channel.position(size - 1).read(last);
      return last.get(0) != '\n';
    }
  }

  private static final class Writer implements SinkWriter<Rejection> {
    private final BufferedWriter out;
    private final Set<String> recorded;

    Writer(BufferedWriter out, Set<String> recorded) {
      this.out = out;
      this.recorded = recorded;
    }

    @Override
    public void write(Rejection r, Context context) throws IOException {
      if (!recorded.add(key(r.path, r.mtimeMs))) {
        LOG.debug("Rejection of {} (version {}) is recorded already", r.path, r.mtimeMs);
        return;
      }
      LOG.warn("Rejected {}: {} ({}); {}", r.path, r.reason, r.detail, r.fix);
      if (out != null) {
        out.write(toJson(r));
        out.newLine();
        out.flush();
      }
    }

    @Override
    public void flush(boolean endOfInput) throws IOException {
      if (out != null) {
        out.flush();
      }
    }

    @Override
    public void close() throws IOException {
      if (out != null) {
        out.close();
      }
    }
  }
}
