package dev.imgsearch.job.config;

import dev.imgsearch.core.config.MilvusConfig;
import dev.imgsearch.core.config.MilvusToken;
import java.nio.file.Path;
import picocli.CommandLine.Option;

/**
 * The job's Milvus options: where the collection lives and how to reach it. The query CLI declares
 * the same options in its own mixin (core has no picocli); both resolve them through {@link
 * MilvusToken} and {@link MilvusConfig}, so precedence, validation and messages are the same.
 */
public class MilvusOptions {

  @Option(
      names = "--milvus-uri",
      defaultValue = "${env:MILVUS_URI:-" + MilvusConfig.DEFAULT_URI + "}",
      paramLabel = "URI",
      description = "Milvus address, http:// or https:// (TLS). Default: ${DEFAULT-VALUE}.")
  String uri;

  // Never echoed: no default value, so neither --help nor picocli's messages can show it. The
  // environment is read in toConfig(), not through ${env:...}, to tell it apart from the option.
  @Option(
      names = "--token",
      paramLabel = "TOKEN",
      description =
          "Milvus token (user:password or API key). Visible in the process list: prefer"
              + " --token-file or $MILVUS_TOKEN. Default: $MILVUS_TOKEN.")
  String token;

  @Option(
      names = "--token-file",
      paramLabel = "FILE",
      description = "File holding the Milvus token (one line), instead of --token.")
  Path tokenFile;

  @Option(
      names = "--tls-ca-cert",
      paramLabel = "PEM",
      description =
          "CA certificate(s) to trust for an https:// Milvus (private CA or self-signed server);"
              + " needed at the same path on every TaskManager. Default: the JVM's trusted CAs.")
  Path tlsCaCert;

  @Option(
      names = "--tls-server-name",
      paramLabel = "NAME",
      description =
          "Name in the https:// server's certificate, when it differs from the URI's host.")
  String tlsServerName;

  @Option(
      names = "--collection",
      paramLabel = "NAME",
      defaultValue = MilvusConfig.DEFAULT_COLLECTION,
      description = "Milvus collection. Default: ${DEFAULT-VALUE}.")
  String collection;

  /**
   * The connection settings; the token is read here (from the file or the environment), on the
   * client, and travels inside the job's configuration to the TaskManagers.
   *
   * @throws IllegalArgumentException naming the option and the fix
   */
  public MilvusConfig toConfig() {
    return MilvusConfig.defaults()
        .withUri(uri)
        .withToken(MilvusToken.resolve(token, tokenFile, System.getenv(MilvusToken.ENV)))
        .withTls(
            tlsCaCert == null ? null : tlsCaCert.toAbsolutePath().normalize().toString(),
            tlsServerName)
        .withCollection(collection)
        .requireReadableFiles();
  }
}
