package dev.imgsearch.core.testing;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.cert.Certificate;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Self-signed TLS certificates for tests, made by the JDK's own {@code keytool} (the JDK has no
 * public API to issue a certificate) and written as PEM, which both the Milvus SDK and gRPC's
 * servers read.
 */
public final class TestCertificates {

  private TestCertificates() {}

  /** A certificate and its private key, PEM files. The certificate is its own CA. */
  public record Identity(Path certPem, Path keyPem) {}

  /**
   * A fresh RSA key and self-signed certificate valid for the given subject alternative names.
   *
   * @param san keytool's syntax, e.g. {@code "ip:127.0.0.1,dns:localhost"}
   */
  public static Identity selfSigned(Path dir, String name, String san) {
    try {
      Files.createDirectories(dir);
      Path store = dir.resolve(name + ".p12");
      char[] password = "changeit".toCharArray();
      Path keytool = Path.of(System.getProperty("java.home"), "bin", "keytool");
      List<String> cmd =
          List.of(
              keytool.toString(),
              "-genkeypair",
              "-alias",
              name,
              "-keyalg",
              "RSA",
              "-keysize",
              "2048",
              "-validity",
              "2",
              "-dname",
              "CN=" + name,
              "-ext",
              "san=" + san,
              "-keystore",
              store.toString(),
              "-storetype",
              "PKCS12",
              "-storepass",
              new String(password),
              "-keypass",
              new String(password));
      Process process = new ProcessBuilder(cmd).redirectErrorStream(true).start();
      String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      if (!process.waitFor(60, TimeUnit.SECONDS) || process.exitValue() != 0) {
        process.destroyForcibly();
        throw new IllegalStateException("keytool failed: " + output);
      }
      KeyStore keyStore = KeyStore.getInstance("PKCS12");
      try (InputStream in = Files.newInputStream(store)) {
        keyStore.load(in, password);
      }
      PrivateKey key = (PrivateKey) keyStore.getKey(name, password);
      Certificate cert = keyStore.getCertificate(name);
      Path certPem = dir.resolve(name + ".crt.pem");
      Path keyPem = dir.resolve(name + ".key.pem");
      Files.writeString(certPem, pem("CERTIFICATE", cert.getEncoded()));
      // PKCS#8, "BEGIN PRIVATE KEY": what Key.getEncoded() returns for RSA.
      Files.writeString(keyPem, pem("PRIVATE KEY", key.getEncoded()));
      return new Identity(certPem, keyPem);
    } catch (IOException | GeneralSecurityException e) {
      throw new IllegalStateException("cannot make a test certificate in " + dir, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while running keytool", e);
    }
  }

  private static String pem(String type, byte[] der) {
    return "-----BEGIN "
        + type
        + "-----\n"
        + Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII)).encodeToString(der)
        + "\n-----END "
        + type
        + "-----\n";
  }
}
