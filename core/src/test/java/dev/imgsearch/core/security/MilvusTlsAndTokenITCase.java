package dev.imgsearch.core.security;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.imgsearch.core.config.MilvusConfig;
import dev.imgsearch.core.store.CollectionSpec;
import dev.imgsearch.core.store.ImageRecord;
import dev.imgsearch.core.store.MilvusImageStore;
import dev.imgsearch.core.store.MilvusStoreException;
import dev.imgsearch.core.store.RetryPolicy;
import dev.imgsearch.core.store.SearchRequest;
import dev.imgsearch.core.store.SearchResults;
import dev.imgsearch.core.store.StoreOptions;
import dev.imgsearch.core.testing.GrpcTestProxy;
import dev.imgsearch.core.testing.LogCapture;
import dev.imgsearch.core.testing.MilvusServerExtension;
import dev.imgsearch.core.testing.TestCertificates;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.UUID;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * TLS and token authentication against a real server. Milvus Lite speaks plain gRPC and ignores
 * tokens, so a real gRPC proxy ({@link GrpcTestProxy}) stands in front of it: it terminates TLS
 * with a certificate made here, and refuses calls without the expected token, as a Milvus with
 * {@code common.security.authorizationEnabled} does. Every call that succeeds went through it.
 */
@ExtendWith(MilvusServerExtension.class)
class MilvusTlsAndTokenITCase {

  private static final int DIM = 8;
  // Unique markers, so that finding one in a log or message cannot be a coincidence.
  private static final String TOKEN = "root:tok-" + UUID.randomUUID();
  private static final String WRONG_TOKEN = "root:wrong-" + UUID.randomUUID();

  /** A refused connection fails in seconds, not after the default two minutes of retries. */
  private static final StoreOptions QUICK =
      StoreOptions.defaults()
          .withRetry(
              new RetryPolicy(
                  Duration.ofMillis(100), Duration.ofMillis(500), 2, Duration.ofSeconds(10)))
          .withSearchConsistency(StoreOptions.ReadConsistency.STRONG);

  @TempDir Path dir;

  @BeforeEach
  void needsAPlaintextServer(MilvusConfig milvus) {
    assumeTrue(
        milvus.uri().startsWith("http://"),
        "the test proxy forwards to a plaintext Milvus; MILVUS_URI is " + milvus.uri());
  }

  @Test
  void httpsWithThePrivateCaCarriesUpsertSearchAndGet(MilvusConfig milvus) {
    TestCertificates.Identity server =
        TestCertificates.selfSigned(dir, "milvus-local", "ip:127.0.0.1,dns:localhost");
    try (GrpcTestProxy proxy = GrpcTestProxy.start(milvus.uri(), server, null, dir.resolve("p"))) {
      MilvusConfig tls = milvus.withUri(proxy.uri()).withTls(server.certPem().toString(), null);
      assertThat(tls.usesTls()).isTrue();

      List<ImageRecord> rows = rows("/tls", 5);
      try (MilvusImageStore store =
          MilvusImageStore.open(tls, CollectionSpec.forDimension(DIM), QUICK)) {
        store.upsert(rows);
        SearchResults results = store.search(List.of(rows.get(3).vector()), SearchRequest.topK(1));
        assertThat(results.hits().get(0).get(0).id()).isEqualTo(rows.get(3).id());
        assertThat(store.get(rows.stream().map(ImageRecord::id).toList())).hasSize(5);
      }

      assertThat(proxy.calls())
          .extracting(GrpcTestProxy.Call::method)
          .contains(
              "/milvus.proto.milvus.MilvusService/Upsert",
              "/milvus.proto.milvus.MilvusService/Search",
              "/milvus.proto.milvus.MilvusService/Query");
    }
  }

  @Test
  void httpsRefusesAServerItCannotVerify(MilvusConfig milvus) {
    TestCertificates.Identity server =
        TestCertificates.selfSigned(dir, "milvus-local", "ip:127.0.0.1,dns:localhost");
    TestCertificates.Identity stranger =
        TestCertificates.selfSigned(dir, "someone-else", "ip:127.0.0.1,dns:localhost");
    try (GrpcTestProxy proxy = GrpcTestProxy.start(milvus.uri(), server, null, dir.resolve("p"))) {
      // The JVM's CAs do not know a self-signed certificate; nor does another CA; nor does a
      // plaintext client get an answer from a TLS port.
      List<MilvusConfig> refused =
          List.of(
              milvus.withUri(proxy.uri()),
              milvus.withUri(proxy.uri()).withTls(stranger.certPem().toString(), null),
              milvus.withUri("http://127.0.0.1:" + proxy.port()));
      for (MilvusConfig config : refused) {
        Throwable error = catchThrowable(() -> openAndCount(config));
        assertThat(error).as("%s", config).isInstanceOf(MilvusStoreException.class);
        assertThat(error.getMessage()).contains(config.uri());
      }
      assertThat(proxy.calls()).as("calls that reached the proxy's gRPC layer").isEmpty();
    }
  }

  @Test
  void theCertificateMustNameTheServer(MilvusConfig milvus) {
    // Valid only for a DNS name, while the uri uses an IP address.
    TestCertificates.Identity server =
        TestCertificates.selfSigned(dir, "milvus-internal", "dns:milvus.internal");
    try (GrpcTestProxy proxy = GrpcTestProxy.start(milvus.uri(), server, null, dir.resolve("p"))) {
      MilvusConfig byIp = milvus.withUri(proxy.uri()).withTls(server.certPem().toString(), null);
      assertThat(catchThrowable(() -> openAndCount(byIp))).isInstanceOf(MilvusStoreException.class);
      assertThat(proxy.calls()).isEmpty();

      MilvusConfig byName = byIp.withTls(server.certPem().toString(), "milvus.internal");
      assertThat(openAndCount(byName)).isZero();
      assertThat(proxy.calls()).isNotEmpty();
    }
  }

  @Test
  void theTokenReachesTheServerAndAWrongOneIsRefusedWithoutBeingShown(MilvusConfig milvus) {
    try (LogCapture logs = LogCapture.start("dev.imgsearch", "io.milvus");
        GrpcTestProxy proxy = GrpcTestProxy.start(milvus.uri(), null, TOKEN, dir.resolve("p"))) {
      MilvusConfig withToken = milvus.withUri(proxy.uri()).withToken(TOKEN);
      List<ImageRecord> rows = rows("/auth", 3);
      try (MilvusImageStore store =
          MilvusImageStore.open(withToken, CollectionSpec.forDimension(DIM), QUICK)) {
        store.upsert(rows);
        assertThat(store.count()).isEqualTo(3);
      }
      List<GrpcTestProxy.Call> calls = proxy.calls();
      assertThat(calls).isNotEmpty();
      assertThat(calls)
          .allSatisfy(
              c -> {
                assertThat(c.authorization()).isEqualTo(GrpcTestProxy.authorization(TOKEN));
                assertThat(c.accepted()).isTrue();
              });

      for (MilvusConfig refused :
          List.of(withToken.withToken(WRONG_TOKEN), withToken.withToken(null))) {
        Throwable error = catchThrowable(() -> openAndCount(refused));
        assertThat(error).isInstanceOf(MilvusStoreException.class);
        assertThat(error.getMessage()).contains("auth");
        assertNoSecret(stackTrace(error));
        assertNoSecret(refused.toString());
      }
      assertThat(proxy.calls()).filteredOn(c -> !c.accepted()).hasSize(2);
      assertThat(proxy.calls())
          .filteredOn(c -> !c.accepted())
          .extracting(GrpcTestProxy.Call::authorization)
          .containsExactlyInAnyOrder(GrpcTestProxy.authorization(WRONG_TOKEN), null);
      assertThat(withToken.toString()).contains("token=****");
      assertNoSecret(withToken.toString());
      assertNoSecret(logs.text());
    }
  }

  @Test
  void tokenAndTlsTogether(MilvusConfig milvus) {
    TestCertificates.Identity server =
        TestCertificates.selfSigned(dir, "milvus-local", "ip:127.0.0.1");
    try (LogCapture logs = LogCapture.start("dev.imgsearch", "io.milvus");
        GrpcTestProxy proxy = GrpcTestProxy.start(milvus.uri(), server, TOKEN, dir.resolve("p"))) {
      MilvusConfig config =
          milvus.withUri(proxy.uri()).withToken(TOKEN).withTls(server.certPem().toString(), null);
      List<ImageRecord> rows = rows("/both", 4);
      try (MilvusImageStore store =
          MilvusImageStore.open(config, CollectionSpec.forDimension(DIM), QUICK)) {
        store.upsert(rows);
        SearchResults results = store.search(List.of(rows.get(0).vector()), SearchRequest.topK(4));
        assertThat(results.hits().get(0)).hasSize(4);
        assertThat(results.hits().get(0).get(0).id()).isEqualTo(rows.get(0).id());
      }
      assertThat(proxy.calls()).isNotEmpty().allMatch(GrpcTestProxy.Call::accepted);
      assertNoSecret(logs.text());
    }
  }

  private static long openAndCount(MilvusConfig config) {
    try (MilvusImageStore store =
        MilvusImageStore.open(config, CollectionSpec.forDimension(DIM), QUICK)) {
      return store.count();
    }
  }

  private static void assertNoSecret(String text) {
    for (String secret : List.of(TOKEN, WRONG_TOKEN)) {
      assertThat(text)
          .doesNotContain(secret)
          .doesNotContain(secret.substring(secret.indexOf(':') + 1))
          .doesNotContain(GrpcTestProxy.authorization(secret));
    }
  }

  private static String stackTrace(Throwable error) {
    StringWriter out = new StringWriter();
    error.printStackTrace(new PrintWriter(out));
    return out.toString();
  }

  private static List<ImageRecord> rows(String folder, int count) {
    List<ImageRecord> rows = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      SplittableRandom random = new SplittableRandom(i);
      float[] vector = new float[DIM];
      double norm = 0;
      for (int d = 0; d < DIM; d++) {
        vector[d] = (float) random.nextGaussian();
        norm += vector[d] * vector[d];
      }
      for (int d = 0; d < DIM; d++) {
        vector[d] /= (float) Math.sqrt(norm);
      }
      rows.add(
          ImageRecord.of(
              Path.of(folder, "img-" + i + ".jpg"),
              ImageRecord.STILL_IMAGE,
              vector,
              "0".repeat(63) + i,
              1000 + i,
              640,
              480,
              1_700_000_000_000L,
              "security-test",
              1_800_000_000_000L));
    }
    return rows;
  }
}
