package dev.imgsearch.core.testing;

import dev.imgsearch.core.store.FilterExpressions;
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
 * {@code MILVUS_TOKEN}) or one started here on a free port and a temporary data directory through
 * {@code scripts/milvus-lite.sh}: Milvus Lite 2.5 (the default, the real C++ engine) or Milvus Lite
 * 3 ({@code MILVUS_SERVER=lite3}, or {@code MILVUS_LITE_ENGINE=3}, the pure-Python one).
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
    /** Milvus Lite 2.5: the Milvus C++ engine (segcore, knowhere) in one binary, SQLite storage. */
    LITE,
    /** Milvus Lite 3, the pure-Python reimplementation. */
    LITE3;

    /** The value of {@code MILVUS_LITE_ENGINE} for scripts/milvus-lite.sh; null for the others. */
    String liteEngine() {
      return switch (this) {
        case LITE -> "2.5";
        case LITE3 -> "3";
        default -> null;
      };
    }
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
    return start(kindFromEnvironment());
  }

  /**
   * The kind {@code MILVUS_SERVER} (lite or lite3; default lite) and, for lite, {@code
   * MILVUS_LITE_ENGINE} (2.5 or 3, as scripts/milvus-lite.sh reads it; default 2.5) ask for.
   */
  public static Kind kindFromEnvironment() {
    String choice = System.getenv().getOrDefault("MILVUS_SERVER", "lite").toLowerCase(Locale.ROOT);
    String engine = System.getenv().getOrDefault("MILVUS_LITE_ENGINE", "2.5").strip();
    return switch (choice) {
      case "lite" ->
          switch (engine) {
            case "2.5", "2.5.1" -> Kind.LITE;
            case "3", "3.2", "3.2.2" -> Kind.LITE3;
            default ->
                throw new IllegalStateException(
                    "MILVUS_LITE_ENGINE='" + engine + "'; use 2.5 (default) or 3");
          };
      case "lite3" -> Kind.LITE3;
      case "server" ->
          throw new IllegalStateException(
              "MILVUS_SERVER=server (milvus-server 2.3.5) is gone: use the default (Milvus Lite"
                  + " 2.5, the Milvus C++ engine), or MILVUS_URI for a Milvus standalone such as"
                  + " docker/docker-compose.yml's");
      default ->
          throw new IllegalStateException(
              "MILVUS_SERVER='"
                  + choice
                  + "'; use lite (Milvus Lite 2.5, or 3 with MILVUS_LITE_ENGINE=3) or lite3 (Milvus"
                  + " Lite 3)");
    };
  }

  /**
   * Starts a server of this kind on a free port and a new temporary data directory; {@link
   * #close()} stops it and deletes the directory.
   */
  public static MilvusTestServer start(Kind kind) {
    if (kind == Kind.EXTERNAL) {
      throw new IllegalArgumentException("an external server is not started here; set MILVUS_URI");
    }
    Path script = projectRoot().resolve("scripts").resolve("milvus-lite.sh");
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
      deleteRecursively(dataDir);
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

  /** Milvus Lite 3, the pure-Python server, whose quirks some tests have to allow for. */
  public boolean isLite3() {
    return kind == Kind.LITE3;
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

  /**
   * Kills the server with SIGKILL, as a crash or the OOM killer would: no shutdown, nothing
   * flushed. Returns once every process of the server is gone; {@link #start()} brings it back on
   * the same port and data.
   */
  public void kill() {
    requireManaged();
    Path pidFile = dataDir.resolve("server.pid");
    long pid;
    try {
      pid = Long.parseLong(Files.readString(pidFile).strip());
    } catch (IOException | NumberFormatException e) {
      throw new IllegalStateException(
          "no server pid in " + pidFile + "; is the server running?", e);
    }
    ProcessHandle leader =
        ProcessHandle.of(pid)
            .orElseThrow(() -> new IllegalStateException("server pid " + pid + " is not running"));
    List<ProcessHandle> all = new java.util.ArrayList<>(leader.descendants().toList());
    all.add(0, leader);
    all.forEach(ProcessHandle::destroyForcibly);
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    for (ProcessHandle p : all) {
      while (p.isAlive() && !isZombie(p.pid())) {
        if (System.nanoTime() > deadline) {
          throw new IllegalStateException("server process " + p.pid() + " survived SIGKILL");
        }
        try {
          Thread.sleep(50);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          throw new IllegalStateException("interrupted while killing the server", e);
        }
      }
    }
  }

  /** A killed process whose new parent has not reaped it yet: gone, but still in the table. */
  private static boolean isZombie(long pid) {
    try {
      String stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"));
      String afterName = stat.substring(stat.lastIndexOf(')') + 2);
      return afterName.startsWith("Z") || afterName.startsWith("X");
    } catch (IOException | RuntimeException e) {
      return true; // no such process any more
    }
  }

  /**
   * Whether {@code FilterExpressions.filepathEquals(value)} can select {@code value} on this
   * server. Not on Milvus Lite 2.5.1 when the literal needs an escape other than {@code \\} and
   * {@code \"}: its expression parser reads {@code \n} as {@code n} (so {@code "a\nb"} selects
   * {@code anb}, measured), {@code \r} and {@code \t} likewise, and rejects a raw line break in a
   * literal, so a value with a newline or carriage return cannot be written for it at all. Real
   * Milvus (Go's strconv.Unquote) and Milvus Lite 3 read all of them.
   */
  public boolean filterCanSelect(String value) {
    if (kind != Kind.LITE) {
      return true;
    }
    String literal = FilterExpressions.quote(value);
    for (int i = 0; i < literal.length() - 1; i++) {
      if (literal.charAt(i) == '\\') {
        char next = literal.charAt(++i);
        if (next != '\\' && next != '"') {
          return false;
        }
      }
    }
    return true;
  }

  /** The server's data directory (null for an external server). */
  public Path dataDir() {
    return dataDir;
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
      ProcessBuilder builder = new ProcessBuilder(cmd).redirectErrorStream(true);
      if (kind.liteEngine() != null) {
        builder.environment().put("MILVUS_LITE_ENGINE", kind.liteEngine());
      }
      Process process = builder.start();
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
      if (command.equals("start")) {
        // Which server the tests run against, in the build log ("Milvus Lite 2.5 running ...").
        System.out.println("[milvus-test-server] " + output.strip());
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
