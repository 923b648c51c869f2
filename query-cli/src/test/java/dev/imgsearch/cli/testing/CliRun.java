package dev.imgsearch.cli.testing;

import dev.imgsearch.cli.ImgSearchCli;
import dev.imgsearch.core.config.MilvusConfig;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.ArrayList;
import java.util.List;

/**
 * One run of the {@code imgsearch} command line as {@code main} runs it (same handlers, same exit
 * codes), with what it printed: the CLI runner every CLI test uses.
 */
public record CliRun(int exitCode, String out, String err) {

  /** Both streams, for assertions that look at everything the user saw. */
  public String all() {
    return out + "\n" + err;
  }

  public static CliRun of(String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    int code =
        ImgSearchCli.commandLine(new PrintWriter(out, true), new PrintWriter(err, true))
            .execute(args);
    return new CliRun(code, out.toString(), err.toString());
  }

  /** A run against the test's Milvus and collection (and its token, if it has one). */
  public static CliRun against(MilvusConfig milvus, String... args) {
    List<String> all = new ArrayList<>(List.of(args));
    if (milvus != null) {
      all.addAll(List.of("--milvus-uri", milvus.uri(), "--collection", milvus.collection()));
      if (milvus.token() != null) {
        all.addAll(List.of("--token", milvus.token()));
      }
    }
    return of(all.toArray(String[]::new));
  }
}
