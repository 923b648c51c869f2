package dev.imgsearch.core.security;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowable;

import dev.imgsearch.core.config.MilvusConfig;
import dev.imgsearch.core.config.MilvusToken;
import java.io.ByteArrayOutputStream;
import java.io.ObjectOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Where the token comes from, and that no message or printed config shows it. */
class MilvusSecretsTest {

  private static final String SECRET = "root:Pa55-w0rd-42";

  @TempDir Path dir;

  @Test
  void theOptionWinsThenTheFileThenTheEnvironment() throws Exception {
    Path file = Files.writeString(dir.resolve("token"), "from-file\n");
    assertThat(MilvusToken.resolve("from-option", null, "from-env")).isEqualTo("from-option");
    assertThat(MilvusToken.resolve(null, file, "from-env")).isEqualTo("from-file");
    assertThat(MilvusToken.resolve(null, null, "from-env")).isEqualTo("from-env");
    assertThat(MilvusToken.resolve(null, null, null)).isNull();
    assertThat(MilvusToken.resolve(null, null, "  ")).isNull();
  }

  @Test
  void bothOptionsAtOnceAreRefusedWithoutShowingEither() throws Exception {
    Path file = Files.writeString(dir.resolve("token"), SECRET);
    Throwable error = catchThrowable(() -> MilvusToken.resolve(SECRET, file, null));
    assertThat(error)
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("--token and --token-file");
    assertThat(error.getMessage()).doesNotContain(SECRET);
  }

  @Test
  void unusableTokenFilesAreNamedButNeverQuoted() throws Exception {
    Path missing = dir.resolve("missing");
    assertThatThrownBy(() -> MilvusToken.readFile(missing))
        .hasMessageContaining(missing.toString())
        .hasMessageContaining("does not exist");
    Path empty = Files.writeString(dir.resolve("empty"), "\n");
    assertThatThrownBy(() -> MilvusToken.readFile(empty)).hasMessageContaining("is empty");
    Path twoLines = Files.writeString(dir.resolve("two"), SECRET + "\n" + SECRET + "\n");
    Throwable error = catchThrowable(() -> MilvusToken.readFile(twoLines));
    assertThat(error).hasMessageContaining("more than one line");
    assertThat(error.getMessage()).doesNotContain(SECRET);
    assertThatThrownBy(() -> MilvusToken.readFile(dir)).hasMessageContaining("is not a file");
  }

  @Test
  void configsPrintWithoutTheToken() throws Exception {
    MilvusConfig config = MilvusConfig.defaults().withToken(SECRET);
    assertThat(config.toString()).doesNotContain(SECRET).contains("token=****");
    // The record's serialized form does carry it (the TaskManagers need it): say so, don't hide it.
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (ObjectOutputStream out = new ObjectOutputStream(bytes)) {
      out.writeObject(config);
    }
    assertThat(new String(bytes.toByteArray(), StandardCharsets.ISO_8859_1)).contains(SECRET);
  }

  @Test
  void credentialsInTheUriAreRefusedAndMaskedInTheMessage() {
    for (String uri :
        new String[] {
          "https://root:" + "Pa55-w0rd-42" + "@milvus.example.com:19530",
          "http://root:Pa55-w0rd-42@127.0.0.1:19530",
          "grpc://root:Pa55-w0rd-42@127.0.0.1:19530",
          "http://root:Pa55-w0rd-42@bad host:1"
        }) {
      Throwable error = catchThrowable(() -> MilvusConfig.defaults().withUri(uri));
      assertThat(error).as(uri).isInstanceOf(IllegalArgumentException.class);
      assertThat(error.getMessage()).as(uri).doesNotContain("Pa55-w0rd-42").contains("***@");
      assertThat(error.getCause()).as(uri).isNull();
    }
    assertThatThrownBy(
            () -> MilvusConfig.defaults().withUri("https://root:Pa55-w0rd-42@milvus.example.com"))
        .hasMessageContaining("--token-file");
  }

  @Test
  void tlsSettingsNeedAnHttpsUri() {
    assertThatThrownBy(() -> MilvusConfig.defaults().withTls("/etc/ca.pem", null))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("https://127.0.0.1:19530");
    MilvusConfig tls =
        MilvusConfig.defaults()
            .withUri("https://milvus.example.com:443")
            .withTls("/etc/ca.pem", "milvus.internal");
    assertThat(tls.usesTls()).isTrue();
    assertThat(tls.toString()).contains("caCert=/etc/ca.pem", "serverName=milvus.internal");
    assertThat(MilvusConfig.defaults().withUri("https://h:1").toString())
        .contains("caCert=JVM default", "serverName=h");
  }

  @Test
  void aMissingCaCertificateIsNamedWithItsFix() {
    MilvusConfig tls =
        MilvusConfig.defaults()
            .withUri("https://milvus.example.com:443")
            .withTls(dir.resolve("nope.pem").toString(), null);
    assertThatThrownBy(tls::requireReadableFiles)
        .hasMessageContaining("nope.pem")
        .hasMessageContaining("--tls-ca-cert");
  }
}
