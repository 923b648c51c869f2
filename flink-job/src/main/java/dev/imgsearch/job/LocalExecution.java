package dev.imgsearch.job;

import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.JobManagerOptions;
import org.apache.flink.configuration.RestOptions;
import org.apache.flink.configuration.TaskManagerOptions;
import org.apache.flink.streaming.api.environment.LocalStreamEnvironment;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;

/**
 * {@code java -jar flink-job.jar} runs the job on an embedded Flink, which by default opens its
 * REST API (job details, cancel) and its BLOB server on every network interface, at random ports.
 * Nothing outside this machine needs them, so the embedded cluster binds to 127.0.0.1. Under {@code
 * flink run}, or a test's MiniCluster, the environment is not local and is returned unchanged: the
 * cluster's own configuration decides.
 */
final class LocalExecution {

  static final String LOOPBACK = "127.0.0.1";

  private LocalExecution() {}

  static StreamExecutionEnvironment loopbackIfLocal(StreamExecutionEnvironment env) {
    if (!(env instanceof LocalStreamEnvironment)) {
      return env;
    }
    Configuration conf = new Configuration();
    conf.set(RestOptions.BIND_ADDRESS, LOOPBACK);
    conf.set(RestOptions.ADDRESS, LOOPBACK);
    conf.set(JobManagerOptions.BIND_HOST, LOOPBACK); // also the BLOB server's address
    conf.set(JobManagerOptions.ADDRESS, LOOPBACK);
    conf.set(TaskManagerOptions.BIND_HOST, LOOPBACK);
    conf.set(TaskManagerOptions.HOST, LOOPBACK);
    return StreamExecutionEnvironment.createLocalEnvironment(conf);
  }
}
