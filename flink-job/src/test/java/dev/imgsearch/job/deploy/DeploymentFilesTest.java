package dev.imgsearch.job.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.Reader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
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
    assertThat(list(job, "args")).contains("--source", "--model", "--milvus-uri");
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
