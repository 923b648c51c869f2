package dev.imgsearch.job.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import dev.imgsearch.job.config.IngestOptions;
import java.io.IOException;
import java.io.Reader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.apache.flink.configuration.ConfigOption;
import org.junit.jupiter.api.Test;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;

/**
 * docker/ cannot run here (no Docker engine, no Kubernetes), so its structure is checked instead:
 * the services, ports, volumes, GPU reservation, Flink settings and the operator manifest.
 */
class DeploymentFilesTest {
  private static final Path DOCKER = projectRoot().resolve("docker");

  @Test
  void composeRunsMilvusStandaloneAndAFlinkClusterWithAGpuTaskManager() throws IOException {
    Map<String, Object> compose = load(DOCKER.resolve("docker-compose.yml"));
    Map<String, Object> services = map(compose, "services");
    assertThat(services).containsOnlyKeys("etcd", "minio", "milvus", "jobmanager", "taskmanager");

    Map<String, Object> milvus = map(services, "milvus");
    assertThat((String) milvus.get("image")).startsWith("milvusdb/milvus:v2.6");
    assertThat(list(milvus, "command")).containsExactly("milvus", "run", "standalone");
    assertThat(list(milvus, "ports")).contains("127.0.0.1:19530:19530");
    assertThat(map(milvus, "environment"))
        .containsEntry("ETCD_ENDPOINTS", "etcd:2379")
        .containsEntry("MINIO_ADDRESS", "minio:9000");

    Map<String, Object> tm = map(services, "taskmanager");
    assertThat(tm.get("command")).isEqualTo("taskmanager");
    List<Object> devices =
        list(map(map(map(tm, "deploy"), "resources"), "reservations"), "devices");
    @SuppressWarnings("unchecked")
    Map<String, Object> gpu = (Map<String, Object>) devices.get(0);
    assertThat(gpu).containsEntry("driver", "nvidia").containsEntry("count", 1);
    assertThat(list(gpu, "capabilities")).containsExactly("gpu");

    for (String name : List.of("jobmanager", "taskmanager")) {
      Map<String, Object> flink = map(services, name);
      assertThat((String) flink.get("image")).contains("flink");
      assertThat(list(flink, "volumes"))
          .contains("./data/watch:/data/watch", "../models:/models:ro");
      String props = (String) map(flink, "environment").get("FLINK_PROPERTIES");
      assertThat(props)
          .contains("classloader.parent-first-patterns.additional: org.bytedeco.;ai.onnxruntime.")
          .contains("-Xss8m")
          .contains("jobmanager.rpc.address: jobmanager");
    }
    assertThat(list(map(services, "jobmanager"), "ports")).contains("127.0.0.1:8081:8081");
  }

  @Test
  void theImagePutsOnnxRuntimeAndJavaCppOnTheFlinkClasspath() throws IOException {
    String dockerfile = Files.readString(DOCKER.resolve("flink/Dockerfile"));
    assertThat(dockerfile)
        .contains("FROM flink:2.3")
        .contains("cudnn")
        .contains("onnxruntime*.jar")
        .contains("javacpp-*.jar")
        .contains("/opt/flink/lib/");
    assertThat(Files.isExecutable(DOCKER.resolve("run.sh"))).isTrue();
  }

  @Test
  void theImageHasACuda12AndACuda13VariantWhoseNativesTheScriptAssembles() throws IOException {
    List<String> lines = Files.readAllLines(DOCKER.resolve("flink/Dockerfile"));
    assertThat(lines).contains("ARG CUDA=12");
    List<String> froms = lines.stream().filter(l -> l.startsWith("FROM ")).toList();
    assertThat(froms)
        .anyMatch(l -> l.matches("FROM nvidia/cuda:12\\.\\d+\\.\\d+-cudnn-runtime-\\S+ AS cuda12"))
        .anyMatch(l -> l.matches("FROM nvidia/cuda:13\\.\\d+\\.\\d+-cudnn-runtime-\\S+ AS cuda13"))
        .anyMatch(l -> l.matches("FROM python:3\\.12\\S* AS ort-natives"));
    assertThat(froms.get(froms.size() - 1)).isEqualTo("FROM cuda${CUDA}");

    String dockerfile = String.join("\n", lines);
    // The natives: the project's script, fed the job's ONNX Runtime jar and the pom's version.
    assertThat(dockerfile)
        .contains("COPY pom.xml ./")
        .contains("COPY scripts/ort-cuda-natives.sh scripts/")
        .contains("COPY flink-job/target/lib/onnxruntime*.jar jar/")
        .contains("bash scripts/ort-cuda-natives.sh --cuda \"${CUDA}\"")
        .contains("--classes-jar /out/lib/onnxruntime_gpu-classes.jar /out/ort-natives")
        .contains("COPY --from=ort-natives /out/ort-natives /opt/ort-natives")
        .contains("COPY --from=ort-natives --chown=flink:flink /out/lib/ /opt/flink/lib/")
        .contains("JAVA_TOOL_OPTIONS=-Donnxruntime.native.path=/opt/ort-natives");
    // Only the classes-only ORT jar reaches /opt/flink/lib: a second, full one would bring its
    // own natives and provider back.
    assertThat(
            lines.stream().filter(l -> l.contains("onnxruntime") && l.contains("/opt/flink/lib")))
        .allMatch(l -> l.contains("--from=ort-natives"));
    Path script = projectRoot().resolve("scripts/ort-cuda-natives.sh");
    assertThat(Files.isExecutable(script)).as(script.toString()).isTrue();
    assertThat(Files.readString(projectRoot().resolve("pom.xml")))
        .contains("<onnxruntime.version>");
  }

  @Test
  void composeAndRunShChooseTheCudaVariant() throws Exception {
    Map<String, Object> compose = load(DOCKER.resolve("docker-compose.yml"));
    for (String name : List.of("jobmanager", "taskmanager")) {
      Map<String, Object> flink = map(map(compose, "services"), name);
      assertThat((String) flink.get("image")).endsWith("-cuda${IMGSEARCH_CUDA:-12}");
      Map<String, Object> build = map(flink, "build");
      assertThat(build).containsEntry("dockerfile", "docker/flink/Dockerfile");
      assertThat(map(build, "args")).containsEntry("CUDA", "${IMGSEARCH_CUDA:-12}");
    }
    // A wrong variant is refused before anything is built.
    Process p =
        new ProcessBuilder("bash", DOCKER.resolve("run.sh").toString(), "up", "--cuda", "11")
            .redirectErrorStream(true)
            .start();
    String out = new String(p.getInputStream().readAllBytes());
    assertThat(p.waitFor()).as(out).isEqualTo(2);
    assertThat(out).contains("--cuda must be 12 or 13, not '11'");
  }

  /**
   * ONNX Runtime 1.29 records usage telemetry for Microsoft unless ORT_DISABLE_TELEMETRY is set
   * before it loads (OrtRuntime, OrtTelemetryITCase): every way this project starts a JVM or a
   * Python process with ORT sets it.
   */
  @Test
  void everyShippedLauncherTurnsOnnxRuntimesTelemetryOff() throws IOException {
    assertThat(Files.readString(DOCKER.resolve("flink/Dockerfile")))
        .containsPattern("(?m)^\\s+ORT_DISABLE_TELEMETRY=1 \\\\$");
    Map<String, Object> services = map(load(DOCKER.resolve("docker-compose.yml")), "services");
    for (String name : List.of("jobmanager", "taskmanager")) {
      assertThat(map(map(services, name), "environment"))
          .as(name)
          .containsEntry("ORT_DISABLE_TELEMETRY", "1");
    }
    assertThat(
            map(
                map(load(DOCKER.resolve("k8s/flinkdeployment.yaml")), "spec"),
                "flinkConfiguration"))
        .containsEntry("containerized.master.env.ORT_DISABLE_TELEMETRY", "1")
        .containsEntry("containerized.taskmanager.env.ORT_DISABLE_TELEMETRY", "1");
    for (String script : List.of("scripts/flink-cluster.sh", "test.sh", "demo.sh", "bench.sh")) {
      assertThat(Files.readString(projectRoot().resolve(script)))
          .as(script)
          .contains("export ORT_DISABLE_TELEMETRY=\"${ORT_DISABLE_TELEMETRY:-1}\"");
    }
    assertThat(Files.readString(projectRoot().resolve("pom.xml")))
        .as("the test JVMs")
        .contains("<ORT_DISABLE_TELEMETRY>1</ORT_DISABLE_TELEMETRY>");
    try (var files = Files.walk(projectRoot(), 3)) {
      List<Path> python =
          files
              .filter(f -> f.toString().endsWith(".py"))
              .filter(f -> !f.toString().contains("/.venv/") && !f.toString().contains("/target/"))
              .filter(f -> readQuietly(f).contains("import onnxruntime"))
              .toList();
      assertThat(python).as("Python scripts that import onnxruntime").isNotEmpty();
      for (Path f : python) {
        String text = readQuietly(f);
        assertThat(text.indexOf("os.environ.setdefault(\"ORT_DISABLE_TELEMETRY\", \"1\")"))
            .as("%s sets ORT_DISABLE_TELEMETRY before its first onnxruntime import", f)
            .isNotNegative()
            .isLessThan(text.indexOf("import onnxruntime"));
      }
    }
  }

  private static String readQuietly(Path file) {
    try {
      return Files.readString(file);
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  @Test
  void operatorManifestRunsTheJobOnGpuNodes() throws IOException {
    Map<String, Object> d = load(DOCKER.resolve("k8s/flinkdeployment.yaml"));
    assertThat(d).containsEntry("apiVersion", "flink.apache.org/v1beta1");
    assertThat(d).containsEntry("kind", "FlinkDeployment");
    Map<String, Object> spec = map(d, "spec");
    assertThat(map(spec, "flinkConfiguration"))
        .containsEntry(
            "classloader.parent-first-patterns.additional", "org.bytedeco.;ai.onnxruntime.");
    Map<String, Object> tmPod = map(map(map(spec, "taskManager"), "podTemplate"), "spec");
    assertThat(map(tmPod, "nodeSelector")).containsEntry("nvidia.com/gpu.present", "true");
    @SuppressWarnings("unchecked")
    Map<String, Object> container = (Map<String, Object>) list(tmPod, "containers").get(0);
    assertThat(map(map(container, "resources"), "limits")).containsEntry("nvidia.com/gpu", 1);
    Map<String, Object> job = map(spec, "job");
    assertThat(job)
        .containsEntry("jarURI", "local:///opt/flink/usrlib/flink-job.jar")
        .containsEntry("entryClass", "dev.imgsearch.job.IngestJobMain");
    // Configured through Flink's configuration, as any Flink job: no flags, only declared keys.
    assertThat(job).doesNotContainKey("args");
    Map<String, Object> conf = map(spec, "flinkConfiguration");
    Set<String> declared =
        IngestOptions.ALL.stream().map(ConfigOption::key).collect(Collectors.toSet());
    assertThat(conf.keySet().stream().filter(k -> k.startsWith("imgsearch.")))
        .as("imgsearch keys in the manifest")
        .isNotEmpty()
        .allSatisfy(key -> assertThat(declared).as("declared option").contains(key));
    assertThat(conf)
        .containsKeys("imgsearch.source.path", "imgsearch.model.path", "imgsearch.milvus.uri");
    int slots = Integer.parseInt((String) conf.get("taskmanager.numberOfTaskSlots"));
    assertThat((Integer) job.get("parallelism"))
        .as("job parallelism fits the TaskManager's slots")
        .isLessThanOrEqualTo(slots);
  }

  private static Map<String, Object> load(Path file) throws IOException {
    try (Reader r = Files.newBufferedReader(file)) {
      return new Yaml(new LoaderOptions()).load(r);
    }
  }

  @SuppressWarnings("unchecked")
  private static Map<String, Object> map(Map<String, Object> m, String key) {
    assertThat(m).containsKey(key);
    return (Map<String, Object>) m.get(key);
  }

  @SuppressWarnings("unchecked")
  private static List<Object> list(Map<String, Object> m, String key) {
    assertThat(m).containsKey(key);
    return (List<Object>) m.get(key);
  }

  private static Path projectRoot() {
    Path dir = Path.of("").toAbsolutePath();
    while (dir != null && !Files.isDirectory(dir.resolve("docker"))) {
      dir = dir.getParent();
    }
    if (dir == null) {
      throw new IllegalStateException("docker/ not found above " + Path.of("").toAbsolutePath());
    }
    return dir;
  }
}
