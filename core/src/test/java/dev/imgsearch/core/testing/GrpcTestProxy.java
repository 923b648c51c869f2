package dev.imgsearch.core.testing;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * A real gRPC proxy process in front of a plaintext Milvus (Milvus Lite): it terminates TLS,
 * records the {@code authorization} header of every call and can refuse calls without the expected
 * token, like a Milvus with authorization enabled. It is {@code grpc_proxy.py} run by the Milvus
 * venv's Python (grpcio comes with Milvus Lite), so its TLS and HTTP/2 stack is not the one under
 * test.
 */
public final class GrpcTestProxy implements AutoCloseable {

  private final Process process;
  private final int port;
  private final Path log;
  private final boolean tls;

  private GrpcTestProxy(Process process, int port, Path log, boolean tls) {
    this.process = process;
    this.port = port;
    this.log = log;
    this.tls = tls;
  }

  /**
   * Starts a proxy on 127.0.0.1 and a free port.
   *
   * @param upstreamUri the plaintext Milvus, {@code http://host:port}
   * @param identity the TLS certificate and key to serve; null for plaintext
   * @param requiredToken refuse calls that do not carry this token; null to accept any call
   * @param workDir where the script and the call log go
   */
  public static GrpcTestProxy start(
      String upstreamUri, TestCertificates.Identity identity, String requiredToken, Path workDir) {
    URI upstream = URI.create(upstreamUri);
    if (!"http".equals(upstream.getScheme())) {
      throw new IllegalArgumentException(
          "the proxy forwards to plaintext Milvus only, got " + upstream);
    }
    Path python = MilvusTestServer.projectRoot().resolve(".venv/milvus/bin/python");
    if (!Files.isExecutable(python)) {
      throw new IllegalStateException(
          python + " is missing; create it with: scripts/milvus-lite.sh install");
    }
    try {
      Files.createDirectories(workDir);
      Path script = workDir.resolve("grpc_proxy.py");
      try (InputStream in = GrpcTestProxy.class.getResourceAsStream("grpc_proxy.py")) {
        Files.write(script, in.readAllBytes());
      }
      Path log = workDir.resolve("proxy-calls.tsv");
      List<String> cmd =
          new ArrayList<>(
              List.of(
                  python.toString(),
                  script.toString(),
                  "--upstream",
                  upstream.getHost() + ":" + upstream.getPort(),
                  "--log",
                  log.toString()));
      if (identity != null) {
        cmd.addAll(
            List.of(
                "--cert", identity.certPem().toString(), "--key", identity.keyPem().toString()));
      }
      ProcessBuilder builder =
          new ProcessBuilder(cmd).redirectError(workDir.resolve("proxy.err").toFile());
      if (requiredToken != null) {
        // Through the environment, not the command line, like the token itself should be.
        builder.environment().put("PROXY_EXPECTED_AUTHORIZATION", authorization(requiredToken));
      }
      Process process = builder.start();
      BufferedReader out =
          new BufferedReader(
              new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
      CompletableFuture<String> first = CompletableFuture.supplyAsync(() -> readLine(out));
      String line;
      try {
        line = first.get(60, TimeUnit.SECONDS);
      } catch (Exception e) {
        process.destroyForcibly();
        throw new IllegalStateException(
            "gRPC test proxy did not start: " + Files.readString(workDir.resolve("proxy.err")), e);
      }
      if (line == null || !line.startsWith("LISTENING ")) {
        process.destroyForcibly();
        throw new IllegalStateException(
            "gRPC test proxy printed '"
                + line
                + "': "
                + Files.readString(workDir.resolve("proxy.err")));
      }
      return new GrpcTestProxy(
          process, Integer.parseInt(line.substring(10).strip()), log, identity != null);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The header value the Milvus SDKs send for a token: base64 of its UTF-8 bytes. */
  public static String authorization(String token) {
    return Base64.getEncoder().encodeToString(token.getBytes(StandardCharsets.UTF_8));
  }

  /** {@code https://127.0.0.1:port} or {@code http://...}. */
  public String uri() {
    return (tls ? "https" : "http") + "://127.0.0.1:" + port;
  }

  public int port() {
    return port;
  }

  /** One per call so far: the gRPC method, the authorization header ("-" if none), ok/refused. */
  public List<Call> calls() {
    try {
      if (!Files.exists(log)) {
        return List.of();
      }
      return Files.readAllLines(log, StandardCharsets.UTF_8).stream()
          .map(l -> l.split("\t", -1))
          .map(f -> new Call(f[0], "-".equals(f[1]) ? null : f[1], "ok".equals(f[2])))
          .toList();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** A call the proxy saw. */
  public record Call(String method, String authorization, boolean accepted) {}

  @Override
  public void close() {
    process.destroy();
    try {
      if (!process.waitFor(10, TimeUnit.SECONDS)) {
        process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private static String readLine(BufferedReader in) {
    try {
      return in.readLine();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
