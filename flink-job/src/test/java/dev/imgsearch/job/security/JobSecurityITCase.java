package dev.imgsearch.job.security;

import static dev.imgsearch.job.testing.JobTestSupport.jobArgs;
import static dev.imgsearch.job.testing.JobTestSupport.miniCluster;
import static dev.imgsearch.job.testing.JobTestSupport.openStore;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.imgsearch.core.config.MilvusConfig;
import dev.imgsearch.core.store.FilterExpressions;
import dev.imgsearch.core.store.ImageIds;
import dev.imgsearch.core.store.ImageRecord;
import dev.imgsearch.core.store.MilvusImageStore;
import dev.imgsearch.core.testing.GrpcTestProxy;
import dev.imgsearch.core.testing.LogCapture;
import dev.imgsearch.core.testing.MilvusServerExtension;
import dev.imgsearch.core.testing.MilvusTestServer;
import dev.imgsearch.core.testing.TestPhotos;
import dev.imgsearch.job.IngestJobMain;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * The job with hostile input and a secret: files whose names look like filter syntax or shell
 * commands are ingested as data, each is then found by its own path and only by it, and the token
 * (from a file) reaches an authenticating server but no log line, summary or error.
 */
@ExtendWith(MilvusServerExtension.class)
class JobSecurityITCase {

  @RegisterExtension static final MiniClusterExtension FLINK = miniCluster(2, null);

  private static final String TOKEN = "root:job-" + UUID.randomUUID();
  private static final String WRONG = "root:wrong-" + UUID.randomUUID();

  /** File names a user might drop, or an attacker might craft; '/' and NUL cannot occur. */
  private static final List<String> HOSTILE_NAMES =
      List.of(
          "a\" or id != \".jpg",
          "a' or id != '.jpg",
          "b\\\" or id != \\\".jpg",
          "back\\slash.jpg",
          "ends with a backslash\\.jpg",
          "\" || true || \".jpg",
          "line\nbreak.jpg",
          "tab\there.jpg",
          "bell\u0007escape\u001b[31m.jpg",
          "фото кота 猫 🐱.jpg",
          "percent %41 and # hash ? query.jpg",
          "colon: semi; amp & pipe |.jpg",
          "$(touch PWNED).jpg",
          "`touch PWNED2`.jpg",
          "; touch PWNED3 #.jpg");

  @TempDir Path source;
  @TempDir Path work;

  private final StringWriter out = new StringWriter();
  private final StringWriter err = new StringWriter();

  private int run(List<String> args) throws Exception {
    return IngestJobMain.run(
        args.toArray(String[]::new), new PrintWriter(out, true), new PrintWriter(err, true));
  }

  @Test
  void helpNeverShowsATokenAndNamesTheSaferWays() throws Exception {
    assertThat(run(List.of("--token", TOKEN, "--help"))).isZero();
    assertThat(out.toString())
        .contains("--token=TOKEN", "--token-file=FILE", "--tls-ca-cert=PEM", "--tls-server-name")
        .contains("MILVUS_TOKEN")
        .doesNotContain(TOKEN);
    assertThat(err.toString()).doesNotContain(TOKEN);
  }

  @Test
  void hostileFileNamesAreDataAndTheTokenStaysSecret(MilvusConfig milvus, MilvusTestServer server)
      throws Exception {
    assumeTrue(milvus.uri().startsWith("http://"), "the test proxy needs a plaintext Milvus");
    byte[] photo = Files.readAllBytes(TestPhotos.all().get(0).path());
    List<Path> files = new ArrayList<>();
    for (String name : HOSTILE_NAMES) {
      files.add(Files.write(source.resolve(name), photo));
    }
    files.add(Files.write(source.resolve("plain.jpg"), photo));
    Path tokenFile = Files.writeString(work.resolve("token"), TOKEN + "\n");

    try (LogCapture logs = LogCapture.start("dev.imgsearch", "io.milvus.v2");
        GrpcTestProxy proxy = GrpcTestProxy.start(milvus.uri(), null, TOKEN, work.resolve("p"))) {
      MilvusConfig viaProxy = milvus.withUri(proxy.uri()).withToken(null);
      List<String> args = new ArrayList<>(jobArgs(viaProxy, source, work.resolve("dead"), "once"));
      args.addAll(List.of("--token-file", tokenFile.toString()));
      int code = run(args);
      assertThat(code).as("exit code; stderr:%n%s", err).isZero();
      assertThat(out.toString()).contains("embedded        " + files.size());

      // A wrong token fails at start-up with a message that does not repeat it.
      List<String> wrong =
          new ArrayList<>(jobArgs(viaProxy, source, work.resolve("dead2"), "once"));
      wrong.addAll(List.of("--token", WRONG));
      assertThat(run(wrong)).isEqualTo(1);
      assertThat(err.toString()).contains("error: ").contains("auth");

      assertThat(proxy.calls()).filteredOn(GrpcTestProxy.Call::accepted).isNotEmpty();
      assertThat(proxy.calls())
          .filteredOn(GrpcTestProxy.Call::accepted)
          .allMatch(c -> GrpcTestProxy.authorization(TOKEN).equals(c.authorization()));
      for (String text : List.of(logs.text(), out.toString(), err.toString())) {
        for (String secret : List.of(TOKEN, WRONG)) {
          assertThat(text)
              .doesNotContain(secret)
              .doesNotContain(secret.substring(secret.indexOf(':') + 1))
              .doesNotContain(GrpcTestProxy.authorization(secret));
        }
      }
    }

    try (MilvusImageStore store = openStore(milvus)) {
      assertThat(store.count()).isEqualTo(files.size());
      for (Path file : files) {
        String path = ImageIds.normalize(file);
        List<ImageRecord> rows = store.get(List.of(ImageIds.ofNormalized(path, -1)));
        assertThat(rows).extracting(ImageRecord::filepath).containsExactly(path);
        if (server.filterCanSelect(path)) { // not a line break on Milvus Lite 2.5.1
          assertThat(store.count(FilterExpressions.filepathEquals(path)))
              .as("rows where filepath is %s", path)
              .isEqualTo(1);
        }
      }
    }
    // Nothing ran the names as commands.
    for (String marker : List.of("PWNED", "PWNED2", "PWNED3")) {
      assertThat(source.resolve(marker)).doesNotExist();
      assertThat(Path.of(marker)).doesNotExist();
    }
  }
}
