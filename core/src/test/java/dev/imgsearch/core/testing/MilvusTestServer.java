package dev.imgsearch.core.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * The Milvus the integration tests talk to: either an external one ({@code MILVUS_URI}, optional
 * {@code MILVUS_TOKEN}) or one started here through {@code scripts/milvus-lite.sh} (default) or
 * {@code scripts/milvus-server.sh} ({@code MILVUS_SERVER=server}) on a free port and a temporary
 * data directory.
 */
public final class MilvusTestServer implements AutoCloseable {

  private static final long SCRIPT_TIMEOUT_S = 300;

  private final String uri;
  private final String token;
  private final Kind kind;
  private final Path script;
  private final int port;
  private final Path dataDir;

  /** Which server runs the tests. */
  public enum Kind {
    /** MILVUS_URI: someone else's server; cannot be restarted. */
    EXTERNAL,
    /** Milvus Lite, the pure-Python reimplementation. */
    LITE,
    /** The real Milvus 2.3 standalone binary from the PyPI package "milvus". */
    SERVER
  }

  private MilvusTestServer(
      String uri, String token, Kind kind, Path script, int port, Path dataDir) {
    this.uri = uri;
    this.token = token;
    this.kind = kind;
    this.script = script;
    this.port = port;
    this.dataDir = dataDir;
  }

  static MilvusTestServer fromEnvironment() {
    String external = System.getenv("MILVUS_URI");
    if (external != null && !external.isBlank()) {
      return new MilvusTestServer(
          external, System.getenv("MILVUS_TOKEN"), Kind.EXTERNAL, null, -1, null);
    }
    String choice = System.getenv().getOrDefault("MILVUS_SERVER", "lite").toLowerCase(Locale.ROOT);
    Kind kind =
        switch (choice) {
          case "lite" -> Kind.LITE;
          case "server" -> Kind.SERVER;
          default ->
              throw new IllegalStateException(
                  "MILVUS_SERVER='"
                      + choice
                      + "'; use lite (Milvus Lite) or server (milvus-server)");
        };
    Path script =
        projectRoot()
            .resolve("scripts")
            .resolve(kind == Kind.LITE ? "milvus-lite.sh" : "milvus-server.sh");
    try {
      Path dataDir = Files.createTempDirectory("milvus-it-");
      // The script refuses a taken port; another process may grab ours between probe and start.
      IllegalStateException last = null;
      for (int attempt = 0; attempt < 3; attempt++) {
        int port = freePort();
        MilvusTestServer server =
            new MilvusTestServer("http://127.0.0.1:" + port, null, kind, script, port, dataDir);
        try {
          server.start();
          return server;
        } catch (IllegalStateException e) {
          last = e;
        }
      }
      throw last;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  public String uri() {
    return uri;
  }

  /** Null without authentication. */
  public String token() {
    return token;
  }

  public Kind kind() {
    return kind;
  }

  public boolean isLite() {
    return kind == Kind.LITE;
  }

  public boolean canRestart() {
    return kind != Kind.EXTERNAL;
  }

  /** Stops the server and starts it again on the same port and data directory. */
  public void restart() {
    stop();
    start();
  }

  public void stop() {
    requireManaged();
    runScript("stop");
  }

  public void start() {
    requireManaged();
    runScript("start");
  }

  @Override
  public void close() {
    if (kind == Kind.EXTERNAL) {
      return;
    }
    try {
      runScript("stop");
    } finally {
      deleteRecursively(dataDir);
    }
  }

  private void requireManaged() {
    if (kind == Kind.EXTERNAL) {
      throw new IllegalStateException("cannot start or stop the external Milvus at " + uri);
    }
  }

  private void runScript(String command) {
    List<String> cmd =
        List.of(
            script.toString(),
            command,
            "--port",
            Integer.toString(port),
            "--data-dir",
            dataDir.toString());
    try {
      Process process = new ProcessBuilder(cmd).redirectErrorStream(true).start();
      // Read before waiting so a chatty script cannot block on a full pipe.
      String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      if (!process.waitFor(SCRIPT_TIMEOUT_S, TimeUnit.SECONDS)) {
        process.destroyForcibly();
        throw new IllegalStateException(String.join(" ", cmd) + " timed out:\n" + output);
      }
      if (process.exitValue() != 0) {
        throw new IllegalStateException(
            String.join(" ", cmd) + " exited " + process.exitValue() + ":\n" + output);
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot run " + script, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while running " + script, e);
    }
  }

  /** The nearest folder above the working directory that has scripts/milvus-lite.sh. */
  static Path projectRoot() {
    for (Path dir = Path.of("").toAbsolutePath(); dir != null; dir = dir.getParent()) {
      if (Files.isRegularFile(dir.resolve("scripts/milvus-lite.sh"))) {
        return dir;
      }
    }
    throw new IllegalStateException(
        "no scripts/milvus-lite.sh above "
            + Path.of("").toAbsolutePath()
            + "; run the tests inside the project, or set MILVUS_URI to use a running Milvus");
  }

  private static int freePort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return socket.getLocalPort();
    }
  }

  private static void deleteRecursively(Path dir) {
    if (dir == null || !Files.exists(dir)) {
      return;
    }
    try (Stream<Path> paths = Files.walk(dir)) {
      paths.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
