package dev.imgsearch.options;

import static org.apache.flink.configuration.ConfigOptions.key;

import dev.imgsearch.core.config.MilvusConfig;
import dev.imgsearch.core.config.MilvusToken;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.apache.flink.configuration.ConfigOption;
import org.apache.flink.configuration.ReadableConfig;

/**
 * Where the collection lives and how to reach it: the settings the ingestion job and the query CLI
 * share, declared once. The job reads them from Flink's configuration ({@code -D}, {@code
 * config.yaml}, a FlinkDeployment's {@code flinkConfiguration}) or its flags; the CLI from its
 * flags. Both resolve them here, so precedence, validation and messages are the same.
 */
public final class MilvusOptions {

  /** Environment variable that stands in for the URI when no flag or option sets it. */
  public static final String URI_ENV = "MILVUS_URI";

  public static final ConfigOption<String> URI =
      key("imgsearch.milvus.uri")
          .stringType()
          .defaultValue(MilvusConfig.DEFAULT_URI)
          .withDescription("Milvus address, http:// or https:// (TLS).");

  /** Never logged or shown: Flink masks every key that contains "token". */
  public static final ConfigOption<String> TOKEN =
      key("imgsearch.milvus.token")
          .stringType()
          .noDefaultValue()
          .withDescription(
              "Milvus token (user:password or an API key). On a command line it is visible in the"
                  + " process list: prefer the token file or $"
                  + MilvusToken.ENV
                  + ".");

  public static final ConfigOption<String> TOKEN_FILE =
      key("imgsearch.milvus.token-file")
          .stringType()
          .noDefaultValue()
          .withDescription("File holding the Milvus token (one line), instead of the token.");

  public static final ConfigOption<String> TLS_CA_CERT =
      key("imgsearch.milvus.tls.ca-cert")
          .stringType()
          .noDefaultValue()
          .withDescription(
              "CA certificate(s) to trust for an https:// Milvus (private CA or self-signed"
                  + " server), at the same path wherever the job runs. Default: the JVM's CAs.");

  public static final ConfigOption<String> TLS_SERVER_NAME =
      key("imgsearch.milvus.tls.server-name")
          .stringType()
          .noDefaultValue()
          .withDescription(
              "Name in the https:// server's certificate, when it differs from the URI's host.");

  public static final ConfigOption<String> DATABASE =
      key("imgsearch.milvus.database")
          .stringType()
          .noDefaultValue()
          .withDescription("Milvus database. Default: Milvus's default database.");

  public static final ConfigOption<String> COLLECTION =
      key("imgsearch.milvus.collection")
          .stringType()
          .defaultValue(MilvusConfig.DEFAULT_COLLECTION)
          .withDescription("Milvus collection holding the images.");

  public static final ConfigOption<Duration> CONNECT_TIMEOUT =
      key("imgsearch.milvus.connect-timeout")
          .durationType()
          .defaultValue(MilvusConfig.DEFAULT_CONNECT_TIMEOUT)
          .withDescription("How long to wait for Milvus to answer a new connection.");

  public static final ConfigOption<Duration> RPC_TIMEOUT =
      key("imgsearch.milvus.rpc-timeout")
          .durationType()
          .defaultValue(MilvusConfig.DEFAULT_RPC_TIMEOUT)
          .withDescription("Deadline of each Milvus call; a full upsert batch must fit in it.");

  public static final List<ConfigOption<?>> ALL =
      List.of(
          URI,
          TOKEN,
          TOKEN_FILE,
          TLS_CA_CERT,
          TLS_SERVER_NAME,
          DATABASE,
          COLLECTION,
          CONNECT_TIMEOUT,
          RPC_TIMEOUT);

  /** The command-line flags of these options, the same in the job and the CLI. */
  public static final List<Flag> FLAGS =
      List.of(
          Flag.of("--milvus-uri", "URI", URI)
              .withEnvironment(URI_ENV)
              .withDefaultText("$" + URI_ENV + ", else " + MilvusConfig.DEFAULT_URI),
          Flag.of("--token", "TOKEN", TOKEN)
              .withEnvironment(MilvusToken.ENV)
              .withDefaultText("$" + MilvusToken.ENV),
          Flag.of("--token-file", "FILE", TOKEN_FILE),
          Flag.of("--tls-ca-cert", "PEM", TLS_CA_CERT),
          Flag.of("--tls-server-name", "NAME", TLS_SERVER_NAME),
          Flag.of("--collection", "NAME", COLLECTION),
          Flag.of("--connect-timeout", "SECONDS", CONNECT_TIMEOUT).withValue(Values::seconds));

  private MilvusOptions() {}

  /**
   * The connection settings. The token is read here, where the job is planned (from the option, the
   * file or the environment), and travels inside the job to the TaskManagers.
   *
   * @throws IllegalArgumentException naming the setting and the fix
   */
  public static MilvusConfig toConfig(ReadableConfig conf, Map<String, String> environment) {
    String uri = conf.getOptional(URI).orElse(environment.getOrDefault(URI_ENV, conf.get(URI)));
    String tokenFile = conf.getOptional(TOKEN_FILE).orElse(null);
    String caCert = conf.getOptional(TLS_CA_CERT).orElse(null);
    Duration connect = Values.positive(conf, CONNECT_TIMEOUT);
    Duration rpc = Values.positive(conf, RPC_TIMEOUT);
    return MilvusConfig.defaults()
        .withUri(uri)
        .withToken(
            MilvusToken.resolve(
                conf.getOptional(TOKEN).orElse(null),
                tokenFile == null ? null : Path.of(tokenFile),
                environment.get(MilvusToken.ENV)))
        .withTls(
            caCert == null ? null : Path.of(caCert).toAbsolutePath().normalize().toString(),
            conf.getOptional(TLS_SERVER_NAME).orElse(null))
        .withDatabase(conf.getOptional(DATABASE).orElse(null))
        .withCollection(conf.get(COLLECTION))
        .withTimeouts(connect, rpc)
        .requireReadableFiles();
  }
}
