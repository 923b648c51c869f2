package dev.imgsearch.job;

import dev.imgsearch.job.config.IngestOptions;
import java.time.Duration;
import org.apache.flink.configuration.CheckpointingOptions;
import org.apache.flink.configuration.ConfigConstants;
import org.apache.flink.configuration.ConfigOption;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.CoreOptions;
import org.apache.flink.configuration.GlobalConfiguration;
import org.apache.flink.configuration.JobManagerOptions;
import org.apache.flink.configuration.RestOptions;
import org.apache.flink.configuration.TaskManagerOptions;
import org.apache.flink.streaming.api.environment.LocalStreamEnvironment;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;

/**
 * The Flink environment the job runs in, and the defaults the job applies to it only where nothing
 * else decided.
 *
 * <p>Under {@code flink run} (or a test's MiniCluster) the environment carries the cluster's
 * configuration with {@code -D} options on top; the job's own command line goes on top of that.
 * Under {@code java -jar} the environment is an embedded Flink: it reads {@code
 * $FLINK_CONF_DIR/config.yaml} when that is set, binds its REST API and BLOB server to 127.0.0.1
 * (by default they listen on every interface) and keeps the local defaults of a laptop run: two
 * decoders, one embedder.
 */
final class JobEnvironment {

  static final String LOOPBACK = "127.0.0.1";

  /** Decoders of an embedded run when nothing sets the parallelism. */
  static final int LOCAL_PARALLELISM = 2;

  /** Watch mode checkpoints this often when nothing sets the interval. */
  static final Duration WATCH_CHECKPOINT_INTERVAL = Duration.ofSeconds(10);

  private JobEnvironment() {}

  /** The environment, configured with {@code commandLine} over the cluster's configuration. */
  static StreamExecutionEnvironment create(Configuration commandLine) {
    StreamExecutionEnvironment env =
        StreamExecutionEnvironment.getExecutionEnvironment(commandLine);
    if (!(env instanceof LocalStreamEnvironment)) {
      return env;
    }
    Configuration conf = new Configuration();
    String confDir = System.getenv(ConfigConstants.ENV_FLINK_CONF_DIR);
    if (confDir != null && !confDir.isBlank()) {
      conf.addAll(GlobalConfiguration.loadConfiguration(confDir));
    }
    conf.addAll(commandLine);
    setIfAbsent(conf, RestOptions.BIND_ADDRESS, LOOPBACK);
    setIfAbsent(conf, RestOptions.ADDRESS, LOOPBACK);
    setIfAbsent(conf, JobManagerOptions.BIND_HOST, LOOPBACK); // also the BLOB server's address
    setIfAbsent(conf, JobManagerOptions.ADDRESS, LOOPBACK);
    setIfAbsent(conf, TaskManagerOptions.BIND_HOST, LOOPBACK);
    setIfAbsent(conf, TaskManagerOptions.HOST, LOOPBACK);
    setIfAbsent(conf, CoreOptions.DEFAULT_PARALLELISM, LOCAL_PARALLELISM);
    setIfAbsent(conf, IngestOptions.INFERENCE_PARALLELISM, 1);
    return StreamExecutionEnvironment.createLocalEnvironment(conf);
  }

  /**
   * Watch mode checkpoints every {@link #WATCH_CHECKPOINT_INTERVAL} unless the configuration sets
   * {@code execution.checkpointing.interval} (0 turns checkpoints off); once mode checkpoints only
   * when it is set. Returns the interval in effect, or null for none.
   */
  static Duration applyCheckpointDefault(StreamExecutionEnvironment env, IngestOptions.Mode mode) {
    var configured =
        env.getConfiguration().getOptional(CheckpointingOptions.CHECKPOINTING_INTERVAL);
    if (configured.isPresent()) {
      Duration interval = configured.get();
      return interval.isZero() || interval.isNegative() ? null : interval;
    }
    if (mode == IngestOptions.Mode.WATCH) {
      env.enableCheckpointing(WATCH_CHECKPOINT_INTERVAL.toMillis());
      return WATCH_CHECKPOINT_INTERVAL;
    }
    return null;
  }

  private static <T> void setIfAbsent(Configuration conf, ConfigOption<T> option, T value) {
    if (!conf.contains(option)) {
      conf.set(option, value);
    }
  }
}
