package dev.imgsearch.job.testing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A real Flink session cluster for the fault and load tests, driven only through what a user has:
 * {@code scripts/flink-cluster.sh} (start, submit, kill-taskmanager, start-taskmanager, stop), the
 * REST API, and the processes' {@code /proc} entries and log files.
 */
public final class SessionCluster implements AutoCloseable {

  public static final Path JOB_JAR = JobTestSupport.ROOT.resolve("flink-job/target/flink-job.jar");
  private static final Path SCRIPT = JobTestSupport.ROOT.resolve("scripts/flink-cluster.sh");
  private static final Pattern JOB_ID = Pattern.compile("JobID ([0-9a-f]{32})");
  private static final Pattern REST_URL = Pattern.compile("(?m)^(http://127\\.0\\.0\\.1:\\d+)$");
  private static final Set<String> TERMINAL = Set.of("FINISHED", "FAILED", "CANCELED");
  private static final HttpClient HTTP =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

  private final Path dir;
  private final String restUrl;
  private volatile boolean running = true;

  private SessionCluster(Path dir, String restUrl) {
    this.dir = dir;
    this.restUrl = restUrl;
  }

  /** Starts a cluster in {@code dir} on free ports; a JVM shutdown hook stops it if we cannot. */
  public static SessionCluster start(Path dir, int slots) throws Exception {
    assertThat(JOB_JAR)
        .as("the job jar (built by mvn package, which runs before this test in mvn verify)")
        .exists();
    String out =
        script(
            dir,
            Duration.ofSeconds(150),
            "start",
            "--dir",
            dir.toString(),
            "--rest-port",
            "0",
            "--slots",
            Integer.toString(slots));
    Matcher m = REST_URL.matcher(out);
    assertThat(m.find()).as("REST URL in the start output:\n" + out).isTrue();
    SessionCluster cluster = new SessionCluster(dir, m.group(1));
    Runtime.getRuntime().addShutdownHook(new Thread(cluster::stopQuietly));
    return cluster;
  }

  public String submit(List<String> jobArgs) throws Exception {
    return submit(List.of(), jobArgs);
  }

  /**
   * {@code flink run -d [flinkOptions] JOB_JAR [jobArgs]}: Flink's own options (e.g. {@code -p 3},
   * {@code -Dimgsearch.inference.batch-size=5}) before the jar, the job's after it.
   */
  public String submit(List<String> flinkOptions, List<String> jobArgs) throws Exception {
    List<String> args = new ArrayList<>(List.of("submit", "--dir", dir.toString()));
    args.addAll(flinkOptions);
    args.add(JOB_JAR.toString());
    args.addAll(jobArgs);
    String out = script(dir, Duration.ofSeconds(180), args.toArray(String[]::new));
    Matcher m = JOB_ID.matcher(out);
    assertThat(m.find()).as("JobID in the submit output:\n" + out).isTrue();
    return m.group(1);
  }

  /** {@code flink-cluster.sh kill-taskmanager}: SIGKILL, no clean shutdown. */
  public String killTaskManager() throws Exception {
    return script(dir, Duration.ofSeconds(30), "kill-taskmanager", "--dir", dir.toString()).trim();
  }

  /** {@code flink-cluster.sh start-taskmanager}: returns once the new one has registered. */
  public String startTaskManager() throws Exception {
    return script(dir, Duration.ofSeconds(150), "start-taskmanager", "--dir", dir.toString())
        .trim();
  }

  public String cancel(String job) throws Exception {
    return script(dir, Duration.ofSeconds(90), "cancel", "--dir", dir.toString(), job).trim();
  }

  public String state(String job) throws Exception {
    return getJson("/jobs/" + job + "/status").get("status").getAsString();
  }

  /** Waits for the job to reach the state (or any terminal one); fails with its exceptions. */
  public void awaitState(String job, String wanted, Duration timeout) throws Exception {
    long deadline = System.nanoTime() + timeout.toNanos();
    String state = "?";
    while (System.nanoTime() < deadline) {
      state = state(job);
      if (state.equals(wanted) || TERMINAL.contains(state)) {
        break;
      }
      Thread.sleep(250);
    }
    if (!state.equals(wanted)) {
      fail(
          "job %s is %s, expected %s; exceptions: %s",
          job, state, wanted, getJson("/jobs/" + job + "/exceptions"));
    }
  }

  /** How often the job restarted (the job-level {@code numRestarts} metric). */
  public long restarts(String job) throws Exception {
    JsonArray metrics = getJsonArray("/jobs/" + job + "/metrics?get=numRestarts");
    return metrics.isEmpty() ? 0 : metrics.get(0).getAsJsonObject().get("value").getAsLong();
  }

  /** GET /jobs/:id/checkpoints: counts, latest completed and restored, and the history. */
  public JsonObject checkpoints(String job) throws Exception {
    return getJson("/jobs/" + job + "/checkpoints");
  }

  public long completedCheckpoints(String job) throws Exception {
    return checkpoints(job).getAsJsonObject("counts").get("completed").getAsLong();
  }

  /** The ID of the vertex whose name contains {@code part}. */
  public String vertex(String job, String part) throws Exception {
    for (JsonElement v : getJson("/jobs/" + job).getAsJsonArray("vertices")) {
      JsonObject o = v.getAsJsonObject();
      if (o.get("name").getAsString().contains(part)) {
        return o.get("id").getAsString();
      }
    }
    throw new AssertionError("job " + job + " has no vertex named *" + part + "*");
  }

  /** The maximum over a vertex's subtasks of one task metric, or -1 while it is not reported. */
  public double maxSubtaskMetric(String job, String vertex, String metric) throws Exception {
    JsonArray a =
        getJsonArray(
            "/jobs/"
                + job
                + "/vertices/"
                + vertex
                + "/subtasks/metrics?get="
                + metric
                + "&agg=max");
    return a.isEmpty() ? -1 : a.get(0).getAsJsonObject().get("max").getAsDouble();
  }

  /** The registered TaskManagers' resource IDs. */
  public List<String> taskManagers() throws Exception {
    List<String> ids = new ArrayList<>();
    for (JsonElement tm : getJson("/taskmanagers").getAsJsonArray("taskmanagers")) {
      ids.add(tm.getAsJsonObject().get("id").getAsString());
    }
    return ids;
  }

  /** A TaskManager metric (e.g. Status.JVM.Memory.Heap.Used), or -1 while it is not reported. */
  public long taskManagerMetric(String tmId, String metric) throws Exception {
    JsonArray a = getJsonArray("/taskmanagers/" + tmId + "/metrics?get=" + metric);
    return a.isEmpty()
        ? -1
        : (long) Double.parseDouble(a.get(0).getAsJsonObject().get("value").getAsString());
  }

  /** The TaskManager's PID as flink-cluster.sh recorded it; -1 when none runs. */
  public long taskManagerPid() throws IOException {
    Path f = dir.resolve("taskmanager.pid");
    return Files.exists(f) ? Long.parseLong(Files.readString(f).trim()) : -1;
  }

  /** The JobManager's PID: the FileSource's enumerator, and its state, live there. */
  public long jobManagerPid() throws IOException {
    return Long.parseLong(Files.readString(dir.resolve("jobmanager.pid")).trim());
  }

  public String restUrl() {
    return restUrl;
  }

  /** The job's vertices (GET /jobs/:id): name, id, parallelism, status, ... */
  public List<JsonObject> vertices(String job) throws Exception {
    List<JsonObject> out = new ArrayList<>();
    for (JsonElement v : getJson("/jobs/" + job).getAsJsonArray("vertices")) {
      out.add(v.getAsJsonObject());
    }
    return out;
  }

  /** The job's configuration page (GET /jobs/:id/config): its user-config is what the job set. */
  public JsonObject jobConfig(String job) throws Exception {
    return getJson("/jobs/" + job + "/config");
  }

  /** Resident set size of a process from /proc/PID/status, in KB. */
  public static long rssKb(long pid) throws IOException {
    for (String line : Files.readAllLines(Path.of("/proc", Long.toString(pid), "status"))) {
      if (line.startsWith("VmRSS:")) {
        return Long.parseLong(line.replaceAll("[^0-9]", ""));
      }
    }
    throw new IllegalStateException("no VmRSS for pid " + pid);
  }

  public Path taskManagerLog() {
    return dir.resolve("log/taskmanager.log");
  }

  public Path jobManagerLog() {
    return dir.resolve("log/jobmanager.log");
  }

  /** Where the cluster writes checkpoints: {@code <dir>/checkpoints/<job id>/chk-N}. */
  public Path checkpointDir(String job) {
    return dir.resolve("checkpoints").resolve(job);
  }

  public JsonObject getJson(String path) throws Exception {
    return JsonParser.parseString(get(path)).getAsJsonObject();
  }

  public JsonArray getJsonArray(String path) throws Exception {
    return JsonParser.parseString(get(path)).getAsJsonArray();
  }

  private String get(String path) throws Exception {
    HttpResponse<String> r =
        HTTP.send(
            HttpRequest.newBuilder(URI.create(restUrl + path))
                .timeout(Duration.ofSeconds(10))
                .build(),
            HttpResponse.BodyHandlers.ofString());
    assertThat(r.statusCode()).as("GET %s: %s", path, r.body()).isEqualTo(200);
    return r.body();
  }

  /** The last {@code n} lines of the cluster's logs, for a failed test's output. */
  public void dumpLogs(int n) {
    for (Path f : List.of(jobManagerLog(), taskManagerLog(), dir.resolve("log/taskmanager.out"))) {
      try {
        if (Files.exists(f)) {
          List<String> lines = Files.readAllLines(f, StandardCharsets.UTF_8);
          System.out.println("--- last " + n + " lines of " + f + " ---");
          lines.subList(Math.max(0, lines.size() - n), lines.size()).forEach(System.out::println);
        }
      } catch (IOException e) {
        System.out.println("cannot read " + f + ": " + e);
      }
    }
  }

  @Override
  public void close() throws Exception {
    if (running) {
      script(dir, Duration.ofSeconds(90), "stop", "--dir", dir.toString());
      running = false;
    }
  }

  private void stopQuietly() {
    try {
      close();
    } catch (Throwable ignored) {
      // Best effort at JVM exit.
    }
  }

  /** Runs scripts/flink-cluster.sh; fails with its output unless it exits 0 in time. */
  private static String script(Path dir, Duration timeout, String... args) throws Exception {
    List<String> cmd = new ArrayList<>();
    cmd.add(SCRIPT.toString());
    cmd.addAll(List.of(args));
    Files.createDirectories(dir);
    Path log = Files.createTempFile(dir, "script-", ".out");
    try {
      Process p =
          new ProcessBuilder(cmd)
              .directory(JobTestSupport.ROOT.toFile())
              .redirectErrorStream(true)
              .redirectOutput(log.toFile())
              .start();
      boolean exited = p.waitFor(timeout.toSeconds(), TimeUnit.SECONDS);
      if (!exited) {
        p.destroyForcibly().waitFor();
      }
      String out = Files.readString(log);
      if (!exited || p.exitValue() != 0) {
        fail(
            "%s %s %s:%n%s",
            SCRIPT.getFileName(),
            args[0],
            exited ? "exited with " + p.exitValue() : "timed out after " + timeout,
            out);
      }
      return out;
    } finally {
      Files.deleteIfExists(log);
    }
  }
}
