package dev.imgsearch.job.deadletter;

import com.google.gson.Gson;
import com.google.gson.JsonObject;
import dev.imgsearch.job.decode.Rejection;
import java.io.BufferedWriter;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import org.apache.flink.api.connector.sink2.Sink;
import org.apache.flink.api.connector.sink2.SinkWriter;
import org.apache.flink.api.connector.sink2.WriterInitContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Writes rejected files as JSON lines, one file per subtask ({@code rejected-N.jsonl}), and logs
 * each one. Lines are appended and flushed at once so that users see them while the job runs; after
 * a restart a line may appear twice.
 */
public class DeadLetterSink implements Sink<Rejection> {
  private static final long serialVersionUID = 1L;
  private static final Logger LOG = LoggerFactory.getLogger(DeadLetterSink.class);
  private static final Gson GSON = new Gson();

  /** Null: log only. */
  private final String directory;

  public DeadLetterSink(Path directory) {
    this.directory = directory == null ? null : directory.toString();
  }

  @Override
  public SinkWriter<Rejection> createWriter(WriterInitContext context) throws IOException {
    BufferedWriter out = null;
    if (directory != null) {
      Path dir = Files.createDirectories(Path.of(directory));
      Path file =
          dir.resolve("rejected-" + context.getTaskInfo().getIndexOfThisSubtask() + ".jsonl");
      out =
          Files.newBufferedWriter(
              file, StandardCharsets.UTF_8, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
    }
    return new Writer(out);
  }

  /** One JSON object per line: path, reason, detail, fix, time. */
  public static String toJson(Rejection r) {
    JsonObject o = new JsonObject();
    o.addProperty("path", r.path);
    o.addProperty("reason", r.reason.name());
    o.addProperty("detail", r.detail);
    o.addProperty("fix", r.fix);
    o.addProperty("time", Instant.ofEpochMilli(r.timeMs).toString());
    return GSON.toJson(o);
  }

  private static final class Writer implements SinkWriter<Rejection> {
    private final BufferedWriter out;

    Writer(BufferedWriter out) {
      this.out = out;
    }

    @Override
    public void write(Rejection r, Context context) throws IOException {
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
