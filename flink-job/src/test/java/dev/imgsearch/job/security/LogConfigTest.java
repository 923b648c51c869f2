package dev.imgsearch.job.security;

import static org.assertj.core.api.Assertions.assertThat;

import dev.imgsearch.job.testing.JobTestSupport;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * gRPC's frame logger, shaded inside the Milvus SDK ({@code
 * io.milvus.shaded...NettyClientHandler}), prints every request header at DEBUG, the {@code
 * authorization} token included (MilvusTlsAndTokenITCase saw it). Every logging configuration the
 * project ships therefore pins {@code io.milvus.shaded} at WARN, so that raising {@code io.milvus}
 * or the root logger to DEBUG while debugging does not write the token into a log file.
 */
class LogConfigTest {

  private static final Path ROOT = JobTestSupport.ROOT;

  @Test
  void everyShippedLog4jConfigurationKeepsTheGrpcFrameLoggerQuiet() throws Exception {
    Pattern xml =
        Pattern.compile("<Logger name=\"io\\.milvus\\.shaded\" level=\"(WARN|ERROR|OFF)\"/>");
    for (String file :
        List.of(
            "flink-job/src/main/resources/log4j2.xml",
            "query-cli/src/main/resources/imgsearch-cli-log4j2.xml",
            "flink-job/src/test/resources/log4j2-test.xml",
            "core/src/test/resources/log4j2-test.xml")) {
      assertThat(Files.readString(ROOT.resolve(file))).as(file).containsPattern(xml);
    }
    // scripts/flink-cluster.sh writes the session cluster's log4j.properties and
    // log4j-cli.properties.
    String script = Files.readString(ROOT.resolve("scripts/flink-cluster.sh"));
    assertThat(
            Pattern.compile(
                    "logger\\.milvusgrpc\\.name = io\\.milvus\\.shaded\\n"
                        + "logger\\.milvusgrpc\\.level = WARN")
                .matcher(script)
                .results()
                .count())
        .as("pins in the cluster's and the CLI's log4j properties")
        .isEqualTo(2);
  }
}
