package dev.imgsearch.core.testing;

import dev.imgsearch.core.config.MilvusConfig;
import io.milvus.v2.client.ConnectConfig;
import io.milvus.v2.client.MilvusClientV2;
import io.milvus.v2.service.collection.request.DropCollectionReq;
import java.time.Duration;
import java.util.Locale;
import java.util.UUID;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolver;

/**
 * Gives integration tests a real Milvus and a fresh collection.
 *
 * <p>One server per test JVM ({@link MilvusTestServer#fromEnvironment()}: {@code MILVUS_URI}, or a
 * Milvus Lite 2.5 or 3 started by scripts/milvus-lite.sh), stopped when the JVM's tests end. Each
 * test gets a {@link MilvusConfig} naming a collection of its own, dropped after the test. Inject
 * {@link MilvusTestServer} to restart the server.
 */
public final class MilvusServerExtension implements ParameterResolver, AfterEachCallback {

  private static final ExtensionContext.Namespace NAMESPACE =
      ExtensionContext.Namespace.create(MilvusServerExtension.class);
  private static final String SERVER = "server";
  private static final String CONFIG = "config";

  @Override
  public boolean supportsParameter(ParameterContext parameter, ExtensionContext context) {
    Class<?> type = parameter.getParameter().getType();
    return type == MilvusConfig.class || type == MilvusTestServer.class;
  }

  @Override
  public Object resolveParameter(ParameterContext parameter, ExtensionContext context) {
    if (parameter.getParameter().getType() == MilvusTestServer.class) {
      return server(context);
    }
    return context
        .getStore(NAMESPACE)
        .getOrComputeIfAbsent(CONFIG, key -> newConfig(context), MilvusConfig.class);
  }

  @Override
  public void afterEach(ExtensionContext context) {
    MilvusConfig config = context.getStore(NAMESPACE).get(CONFIG, MilvusConfig.class);
    if (config == null) {
      return;
    }
    MilvusClientV2 client = new MilvusClientV2(connectConfig(config));
    try {
      client.dropCollection(
          DropCollectionReq.builder().collectionName(config.collection()).build());
    } finally {
      client.close();
    }
  }

  /** The JVM-wide server, started on first use; the root store closes it at the end. */
  public static MilvusTestServer server(ExtensionContext context) {
    return context
        .getRoot()
        .getStore(NAMESPACE)
        .getOrComputeIfAbsent(
            SERVER, key -> MilvusTestServer.fromEnvironment(), MilvusTestServer.class);
  }

  private static MilvusConfig newConfig(ExtensionContext context) {
    MilvusTestServer server = server(context);
    String method = context.getTestMethod().map(m -> m.getName()).orElse("test");
    String collection =
        ("it_" + method + "_" + UUID.randomUUID().toString().replace("-", "").substring(0, 12))
            .toLowerCase(Locale.ROOT);
    return MilvusConfig.defaults()
        .withUri(server.uri())
        .withToken(server.token())
        .withCollection(collection.length() > 255 ? collection.substring(0, 255) : collection)
        .withTimeouts(Duration.ofSeconds(10), Duration.ofSeconds(60));
  }

  private static ConnectConfig connectConfig(MilvusConfig config) {
    ConnectConfig.ConnectConfigBuilder builder = ConnectConfig.builder().uri(config.uri());
    if (config.token() != null) {
      builder.token(config.token());
    }
    return builder.build();
  }
}
