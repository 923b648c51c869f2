package dev.imgsearch.job.security;

import static org.assertj.core.api.Assertions.assertThat;

import dev.imgsearch.core.config.MilvusConfig;
import dev.imgsearch.core.testing.MilvusServerExtension;
import dev.imgsearch.core.testing.TestPhotos;
import dev.imgsearch.job.testing.JobTestSupport;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every server the project starts listens on 127.0.0.1 only: Milvus Lite (scripts/milvus-lite.sh),
 * the Flink session cluster (scripts/flink-cluster.sh) and the embedded Flink of {@code java -jar
 * flink-job.jar}. The sockets are read from /proc for the servers' own processes, so a port opened
 * on all interfaces by any of them, on any port, fails the test.
 */
class LoopbackBindingITCase {

  private static final Path ROOT = JobTestSupport.ROOT;
  private static final Path JOB_JAR = ROOT.resolve("flink-job/target/flink-job.jar");

  @TempDir Path dir;

  @Test
  void milvusLiteListensOnLoopbackOnly() throws Exception {
    int port = freePort();
    Path data = dir.resolve("milvus");
    script(
        Duration.ofSeconds(180),
        "scripts/milvus-lite.sh",
        "start",
        "--port",
        "" + port,
        "--data-dir",
        data.toString());
    try {
      long pid = Long.parseLong(Files.readString(data.resolve("server.pid")).trim());
      List<ListeningSockets.Socket> sockets =
          ListeningSockets.of(ListeningSockets.processGroup(pid));
      System.out.println("[loopback] Milvus Lite listens on " + sockets);
      assertThat(sockets).extracting(ListeningSockets.Socket::port).contains(port);
      assertThat(sockets).allMatch(ListeningSockets.Socket::isLoopback, "on loopback");
    } finally {
      script(
          Duration.ofSeconds(60),
          "scripts/milvus-lite.sh",
          "stop",
          "--port",
          "" + port,
          "--data-dir",
          data.toString());
    }
  }

  @Test
  void theFlinkSessionClusterListensOnLoopbackOnly() throws Exception {
    Path cluster = dir.resolve("cluster");
    String out =
        script(
            Duration.ofSeconds(180),
            "scripts/flink-cluster.sh",
            "start",
            "--dir",
            cluster.toString(),
            "--rest-port",
            "0",
            "--slots",
            "1");
    try {
      List<ListeningSockets.Socket> sockets = new ArrayList<>();
      for (String process : List.of("jobmanager", "taskmanager")) {
        long pid = Long.parseLong(Files.readString(cluster.resolve(process + ".pid")).trim());
        List<ListeningSockets.Socket> own = ListeningSockets.of(ListeningSockets.processGroup(pid));
        System.out.println("[loopback] Flink " + process + " listens on " + own);
        assertThat(own).as(process).isNotEmpty();
        sockets.addAll(own);
      }
      // REST, RPC and BLOB server at least.
      assertThat(sockets).as(out).hasSizeGreaterThanOrEqualTo(3);
      assertThat(sockets).allMatch(ListeningSockets.Socket::isLoopback, "on loopback");
    } finally {
      script(
          Duration.ofSeconds(90), "scripts/flink-cluster.sh", "stop", "--dir", cluster.toString());
    }
  }

  @Test
  @ExtendWith(MilvusServerExtension.class)
  void theEmbeddedFlinkOfJavaDashJarListensOnLoopbackOnly(MilvusConfig milvus) throws Exception {
    assertThat(JOB_JAR).as("built by mvn package, before the integration tests").exists();
    Path source = Files.createDirectories(dir.resolve("watched"));
    List<String> cmd = new ArrayList<>();
    cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    cmd.add("-Xss8m");
    cmd.addAll(List.of("-jar", JOB_JAR.toString()));
    cmd.addAll(
        List.of(
            "--source", source.toString(),
            "--model", TestPhotos.tinyModel().toString(),
            "--milvus-uri", milvus.uri(),
            "--collection", milvus.collection(),
            "--device", "cpu",
            "--mode", "watch"));
    Path log = dir.resolve("job.log");
    Process job =
        new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile()).start();
    try {
      // The REST endpoint and the BLOB server open while the job starts; wait for both.
      List<ListeningSockets.Socket> sockets = List.of();
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
      while (System.nanoTime() < deadline && job.isAlive()) {
        sockets = ListeningSockets.of(Set.of(job.pid()));
        if (sockets.size() >= 2) {
          Thread.sleep(2000); // anything opened a moment later counts too
          sockets = ListeningSockets.of(Set.of(job.pid()));
          break;
        }
        Thread.sleep(500);
      }
      String output = Files.readString(log, StandardCharsets.UTF_8);
      System.out.println("[loopback] java -jar flink-job.jar listens on " + sockets);
      assertThat(job.isAlive()).as("the job is running:\n%s", output).isTrue();
      assertThat(sockets)
          .as("REST and BLOB server sockets:\n%s", output)
          .hasSizeGreaterThanOrEqualTo(2);
      assertThat(sockets).allMatch(ListeningSockets.Socket::isLoopback, "on loopback");
    } finally {
      job.destroy();
      if (!job.waitFor(30, TimeUnit.SECONDS)) {
        job.destroyForcibly().waitFor(30, TimeUnit.SECONDS);
      }
    }
  }

  private static String script(Duration timeout, String... args) throws Exception {
    List<String> cmd = new ArrayList<>(List.of(args));
    cmd.set(0, ROOT.resolve(args[0]).toString());
    Path out = Files.createTempFile("loopback-script-", ".out");
    try {
      Process p =
          new ProcessBuilder(cmd)
              .directory(ROOT.toFile())
              .redirectErrorStream(true)
              .redirectOutput(out.toFile())
              .start();
      boolean exited = p.waitFor(timeout.toSeconds(), TimeUnit.SECONDS);
      if (!exited) {
        p.destroyForcibly().waitFor();
      }
      String text = Files.readString(out);
      assertThat(exited && p.exitValue() == 0).as("%s:%n%s", cmd, text).isTrue();
      return text;
    } finally {
      Files.deleteIfExists(out);
    }
  }

  private static int freePort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return socket.getLocalPort();
    }
  }
}
