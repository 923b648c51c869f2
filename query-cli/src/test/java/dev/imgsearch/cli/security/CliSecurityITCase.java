package dev.imgsearch.cli.security;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.imgsearch.cli.testing.CliRun;
import dev.imgsearch.core.config.MilvusConfig;
import dev.imgsearch.core.store.CollectionSpec;
import dev.imgsearch.core.store.FilterExpressions;
import dev.imgsearch.core.store.ImageRecord;
import dev.imgsearch.core.store.MilvusImageStore;
import dev.imgsearch.core.testing.GrpcTestProxy;
import dev.imgsearch.core.testing.LogCapture;
import dev.imgsearch.core.testing.MilvusServerExtension;
import dev.imgsearch.core.testing.MilvusTestServer;
import dev.imgsearch.core.testing.TestCertificates;
import dev.imgsearch.core.testing.TestPhotos;
import dev.imgsearch.core.testing.TestRows;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * The query CLI as a user runs it, against a real Milvus: tokens reach the server but never the
 * terminal, TLS works with a private CA, and a filter built from a hostile file name finds that
 * file only.
 */
@ExtendWith(MilvusServerExtension.class)
class CliSecurityITCase {

  private static final int TINY_DIM = 32;
  private static final String TOKEN = "root:cli-" + UUID.randomUUID();
  private static final String WRONG = "root:nope-" + UUID.randomUUID();

  @TempDir Path dir;

  @Test
  void helpNeverShowsATokenAndNamesTheSaferWays() {
    for (String[] args :
        List.of(
            new String[] {"--help"},
            new String[] {"stats", "--token", TOKEN, "--help"},
            new String[] {"search", "--token", TOKEN, "--help"},
            new String[] {"embed", "--help"},
            new String[] {"duplicates", "--token", TOKEN, "--help"},
            new String[] {"help", "search"})) {
      CliRun run = CliRun.of(args);
      assertThat(run.exitCode()).as(String.join(" ", args)).isZero();
      assertNoSecret(run.all());
    }
    assertThat(CliRun.of("stats", "--help").out())
        .contains("--token=TOKEN", "--token-file=FILE", "--tls-ca-cert=PEM", "--tls-server-name");
  }

  @Test
  void badOptionsAroundATokenDoNotEchoIt() {
    for (String[] args :
        List.of(
            new String[] {"stats", "--token", TOKEN, "--token", TOKEN},
            new String[] {"stats", "--token", TOKEN, "--token-file", "/nonexistent"},
            new String[] {"stats", "--token", TOKEN, "--milvus-uri", "ftp://x"},
            new String[] {"stats", "--milvus-uri", "http://" + TOKEN + "@127.0.0.1:1"},
            new String[] {"stats", "--token", TOKEN, "--tls-ca-cert", "/nonexistent.pem"})) {
      CliRun run = CliRun.of(args);
      assertThat(run.exitCode()).as(String.join(" ", args)).isEqualTo(2);
      assertThat(run.err()).startsWith("error: ");
      assertNoSecret(run.all());
    }
  }

  @Test
  void theTokenReachesTheServerButNotTheOutput(MilvusConfig milvus) throws Exception {
    assumeTrue(milvus.uri().startsWith("http://"), "the test proxy needs a plaintext Milvus");
    createCollection(
        milvus, List.of(TestRows.image(Path.of("/photos/one.jpg").toString(), TINY_DIM, 1)));
    Path tokenFile = Files.writeString(dir.resolve("milvus.token"), TOKEN + "\n");
    try (LogCapture logs = LogCapture.start("dev.imgsearch", "io.milvus.v2");
        GrpcTestProxy proxy = GrpcTestProxy.start(milvus.uri(), null, TOKEN, dir.resolve("p"))) {
      String[] where = {"--milvus-uri", proxy.uri(), "--collection", milvus.collection()};

      CliRun ok =
          CliRun.of(
              concat(
                  new String[] {"stats", "--json", "--token-file", tokenFile.toString()}, where));
      assertThat(ok.exitCode()).as(ok.err()).isZero();
      assertThat(JsonParser.parseString(ok.out()).getAsJsonObject().get("rows").getAsLong())
          .isEqualTo(1);

      CliRun wrong =
          CliRun.of(concat(new String[] {"stats", "--token", WRONG, "--stacktrace"}, where));
      assertThat(wrong.exitCode()).isNotZero();
      assertThat(wrong.err()).startsWith("error: ").contains("auth");
      CliRun none = CliRun.of(concat(new String[] {"stats"}, where));
      assertThat(none.exitCode()).isNotZero();

      assertThat(proxy.calls()).filteredOn(GrpcTestProxy.Call::accepted).isNotEmpty();
      assertThat(proxy.calls())
          .filteredOn(GrpcTestProxy.Call::accepted)
          .allMatch(c -> GrpcTestProxy.authorization(TOKEN).equals(c.authorization()));
      assertThat(proxy.calls()).filteredOn(c -> !c.accepted()).hasSize(2);
      for (CliRun run : List.of(ok, wrong, none)) {
        assertNoSecret(run.all());
      }
      assertNoSecret(logs.text());
    }
  }

  @Test
  void httpsWithAPrivateCa(MilvusConfig milvus) {
    assumeTrue(milvus.uri().startsWith("http://"), "the test proxy needs a plaintext Milvus");
    createCollection(
        milvus, List.of(TestRows.image(Path.of("/photos/one.jpg").toString(), TINY_DIM, 1)));
    TestCertificates.Identity server =
        TestCertificates.selfSigned(dir, "milvus-local", "ip:127.0.0.1");
    try (GrpcTestProxy proxy = GrpcTestProxy.start(milvus.uri(), server, null, dir.resolve("p"))) {
      String[] where = {"--milvus-uri", proxy.uri(), "--collection", milvus.collection()};
      CliRun trusted =
          CliRun.of(
              concat(new String[] {"stats", "--tls-ca-cert", server.certPem().toString()}, where));
      assertThat(trusted.exitCode()).as(trusted.err()).isZero();

      CliRun untrusted = CliRun.of(concat(new String[] {"stats", "--connect-timeout", "2"}, where));
      assertThat(untrusted.exitCode()).isEqualTo(3);
      assertThat(untrusted.err()).startsWith("error: cannot reach Milvus at " + proxy.uri());
    }
  }

  @Test
  void aFilterBuiltFromAHostileFileNameFindsThatFileOnly(
      MilvusConfig milvus, MilvusTestServer server) {
    List<String> names =
        List.of(
            "a\" or id != \"",
            "b\\\" or id != \\\"",
            "ends with a backslash\\",
            "line\nbreak.jpg",
            "tab\there.jpg",
            "bell\u0007.jpg",
            "фото 猫 🐱.jpg",
            "$(touch PWNED).jpg");
    List<ImageRecord> rows = new ArrayList<>();
    for (int i = 0; i < names.size(); i++) {
      rows.add(TestRows.image(Path.of("/photos", names.get(i)).toString(), TINY_DIM, i));
    }
    rows.add(TestRows.image(Path.of("/photos/a").toString(), TINY_DIM, 100));
    rows.add(TestRows.image(Path.of("/photos/plain.jpg").toString(), TINY_DIM, 101));
    createCollection(milvus, rows);

    for (ImageRecord target : rows.subList(0, names.size())) {
      if (!server.filterCanSelect(target.filepath())) {
        continue; // a line break or tab on Milvus Lite 2.5.1: no literal selects it there
      }
      CliRun run =
          CliRun.of(
              "search",
              "--milvus-uri",
              milvus.uri(),
              "--collection",
              milvus.collection(),
              "--model",
              TestPhotos.tinyModel().toString(),
              "--device",
              "cpu",
              "-k",
              "20",
              "--json",
              "--filter",
              FilterExpressions.filepathEquals(target.filepath()),
              TestPhotos.all().get(0).path().toString());
      assertThat(run.exitCode()).as("%s: %s", target.filepath(), run.err()).isZero();
      JsonObject doc = JsonParser.parseString(run.out()).getAsJsonObject();
      JsonArray hits =
          doc.getAsJsonArray("queries").get(0).getAsJsonObject().getAsJsonArray("hits");
      assertThat(hits).as(target.filepath()).hasSize(1);
      assertThat(hits.get(0).getAsJsonObject().get("path").getAsString())
          .isEqualTo(target.filepath());
    }
    assertThat(Files.exists(Path.of("PWNED"))).isFalse();
  }

  private static void createCollection(MilvusConfig milvus, List<ImageRecord> rows) {
    try (MilvusImageStore store =
        MilvusImageStore.open(milvus, CollectionSpec.forDimension(TINY_DIM))) {
      store.upsert(rows);
    }
  }

  private static void assertNoSecret(String text) {
    for (String secret : List.of(TOKEN, WRONG)) {
      assertThat(text)
          .doesNotContain(secret)
          .doesNotContain(secret.substring(secret.indexOf(':') + 1))
          .doesNotContain(GrpcTestProxy.authorization(secret));
    }
  }

  private static String[] concat(String[] head, String[] tail) {
    String[] all = new String[head.length + tail.length];
    System.arraycopy(head, 0, all, 0, head.length);
    System.arraycopy(tail, 0, all, head.length, tail.length);
    return all;
  }
}
