package dev.imgsearch.job;

import dev.imgsearch.job.config.EffectiveConfiguration;
import dev.imgsearch.job.config.IngestCommandLine;
import dev.imgsearch.job.config.IngestJobConfig;
import dev.imgsearch.job.config.IngestOptions;
import dev.imgsearch.job.source.ImageFile;
import dev.imgsearch.job.source.ImageSources;
import dev.imgsearch.options.ExitCodes;
import dev.imgsearch.options.UserError;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.apache.flink.api.common.JobExecutionResult;
import org.apache.flink.api.connector.source.Source;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One run of the job: the environment it runs in, configured by the command line over the cluster's
 * configuration, the settings read from there, and the job built on it. {@link IngestJobMain}
 * launches it; tests use the same steps with a source of their own.
 */
public final class IngestLaunch {

  private static final Logger LOG = LoggerFactory.getLogger(IngestLaunch.class);

  private final StreamExecutionEnvironment env;
  private final IngestJobConfig cfg;
  private IngestJob job;

  private IngestLaunch(StreamExecutionEnvironment env, IngestJobConfig cfg) {
    this.env = env;
    this.cfg = cfg;
  }

  /**
   * The environment for {@code commandLine} (flags and -D options) and the settings read from it.
   *
   * @throws UserError bad input, naming the option, its flag and the fix
   */
  public static IngestLaunch of(Configuration commandLine) {
    StreamExecutionEnvironment env = JobEnvironment.create(commandLine);
    try {
      return new IngestLaunch(env, IngestJobConfig.from(env.getConfiguration(), System.getenv()));
    } catch (IllegalArgumentException e) {
      throw new UserError(
          ExitCodes.BAD_INPUT, ExitCodes.withFlags(e.getMessage(), IngestOptions.FLAGS), e);
    }
  }

  /** As {@link #of(Configuration)}, from the job's arguments. */
  public static IngestLaunch of(List<String> args) {
    IngestCommandLine command = new IngestCommandLine();
    IngestCommandLine.create(command).parseArgs(args.toArray(String[]::new));
    return of(command.configuration());
  }

  public IngestJobConfig config() {
    return cfg;
  }

  public StreamExecutionEnvironment environment() {
    return env;
  }

  /** Builds the job over the configured folder; see {@link #build(Source)}. */
  public IngestLaunch build() {
    return build(ImageSources.folder(cfg.source(), cfg.video()));
  }

  /**
   * Applies the checkpoint default, logs the effective configuration once (and shows it on the web
   * UI's job configuration page), checks the model and the collection, and builds the job on the
   * environment.
   */
  public IngestLaunch build(Source<ImageFile, ?, ?> source) {
    Duration checkpoints = JobEnvironment.applyCheckpointDefault(env, cfg.mode());
    Map<String, String> effective = EffectiveConfiguration.of(env.getConfiguration());
    LOG.info(
        "Effective configuration: {}; checkpoints {}; default parallelism {}",
        EffectiveConfiguration.format(effective),
        checkpoints == null ? "off" : "every " + checkpoints.toMillis() + " ms",
        env.getParallelism());
    env.getConfig().setGlobalJobParameters(Configuration.fromMap(effective));
    job = IngestJob.plan(cfg, source);
    job.build(env);
    return this;
  }

  /** The built job's name. */
  public String jobName() {
    return built().name();
  }

  public JobExecutionResult execute() throws Exception {
    return env.execute(jobName());
  }

  public JobClient executeAsync() throws Exception {
    return env.executeAsync(jobName());
  }

  private IngestJob built() {
    if (job == null) {
      throw new IllegalStateException("build() the job first");
    }
    return job;
  }
}
