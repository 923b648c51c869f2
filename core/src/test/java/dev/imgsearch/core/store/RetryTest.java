package dev.imgsearch.core.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.milvus.v2.exception.ErrorCode;
import io.milvus.v2.exception.MilvusClientException;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class RetryTest {

  private static final RetryPolicy FAST =
      new RetryPolicy(Duration.ofMillis(1), Duration.ofMillis(4), 5, Duration.ofSeconds(10));

  @Test
  void delaysDoubleUpToTheCap() {
    RetryPolicy policy =
        new RetryPolicy(Duration.ofMillis(100), Duration.ofSeconds(1), 10, Duration.ofMinutes(1));
    assertThat(policy.delayBeforeRetry(1)).isEqualTo(Duration.ofMillis(100));
    assertThat(policy.delayBeforeRetry(2)).isEqualTo(Duration.ofMillis(200));
    assertThat(policy.delayBeforeRetry(4)).isEqualTo(Duration.ofMillis(800));
    assertThat(policy.delayBeforeRetry(5)).isEqualTo(Duration.ofSeconds(1));
    assertThat(policy.delayBeforeRetry(200)).isEqualTo(Duration.ofSeconds(1));
  }

  @Test
  void rejectsInconsistentPolicies() {
    assertThatThrownBy(
            () ->
                new RetryPolicy(
                    Duration.ofSeconds(2), Duration.ofSeconds(1), 3, Duration.ofMinutes(1)))
        .hasMessageContaining("initialDelay <= maxDelay");
    assertThatThrownBy(
            () -> new RetryPolicy(Duration.ZERO, Duration.ZERO, 0, Duration.ofMinutes(1)))
        .hasMessageContaining("maxAttempts is 0");
  }

  @Test
  void classifiesTransientErrors() {
    assertThat(MilvusErrors.isTransient(rpc("UNAVAILABLE: io exception"))).isTrue();
    assertThat(MilvusErrors.isTransient(rpc("DEADLINE_EXCEEDED: deadline exceeded after 1s")))
        .isTrue();
    assertThat(
            MilvusErrors.isTransient(
                new RuntimeException(
                    "wrapped", new RuntimeException("Connection refused: /127.0.0.1:1"))))
        .isTrue();
    assertThat(
            MilvusErrors.isTransient(
                new MilvusClientException(ErrorCode.SERVER_ERROR, "rate limit exceeded", 8, 49)))
        .isTrue();
    assertThat(MilvusErrors.isTransient(new MilvusClientException(ErrorCode.TIMEOUT, "slow")))
        .isTrue();
  }

  @Test
  void permanentErrorsAreNotRetried() {
    assertThat(
            MilvusErrors.isTransient(
                new MilvusClientException(ErrorCode.SERVER_ERROR, "field not exist", 1100, 5)))
        .isFalse();
    assertThat(MilvusErrors.isTransient(new IllegalArgumentException("bad dimension"))).isFalse();
  }

  @Test
  void reasonDigsOutTheCauseChain() {
    RuntimeException error =
        new MilvusClientException(
            ErrorCode.CLIENT_ERROR,
            new IllegalArgumentException("Can't get the number of an unknown enum value."));
    assertThat(MilvusErrors.reason(error))
        .contains("unknown enum value")
        .contains("server's own log");
    RuntimeException nested =
        new RuntimeException("upsert failed", new IllegalStateException("dim mismatch: 3 != 4"));
    assertThat(MilvusErrors.reason(nested))
        .contains("upsert failed")
        .contains("dim mismatch: 3 != 4");
  }

  @Test
  void retriesTransientFailuresThenSucceeds() {
    AtomicInteger calls = new AtomicInteger();
    String result =
        new Retrier(FAST, "test")
            .call(
                "op",
                () -> {
                  if (calls.incrementAndGet() < 3) {
                    throw rpc("UNAVAILABLE: io exception");
                  }
                  return "ok";
                });
    assertThat(result).isEqualTo("ok");
    assertThat(calls).hasValue(3);
  }

  @Test
  void givesUpAfterMaxAttemptsNamingTheOperationAndReason() {
    AtomicInteger calls = new AtomicInteger();
    assertThatThrownBy(
            () ->
                new Retrier(FAST, "Milvus http://x:1")
                    .run(
                        "upsert batch 1/1",
                        () -> {
                          calls.incrementAndGet();
                          throw rpc("UNAVAILABLE: io exception");
                        }))
        .isInstanceOf(MilvusStoreException.class)
        .hasMessageContaining(
            "upsert batch 1/1 on Milvus http://x:1 still failing after 5 attempts")
        .hasMessageContaining("UNAVAILABLE");
    assertThat(calls).hasValue(5);
  }

  @Test
  void failsAtOnceOnPermanentErrors() {
    AtomicInteger calls = new AtomicInteger();
    assertThatThrownBy(
            () ->
                new Retrier(FAST, "Milvus")
                    .run(
                        "search",
                        () -> {
                          calls.incrementAndGet();
                          throw new MilvusClientException(
                              ErrorCode.SERVER_ERROR, "field no_such_field not exist", 1100, 5);
                        }))
        .isInstanceOf(MilvusStoreException.class)
        .hasMessageContaining("search on Milvus failed")
        .hasMessageContaining("no_such_field")
        .hasMessageContaining("server error code 1100");
    assertThat(calls).hasValue(1);
  }

  private static RuntimeException rpc(String status) {
    return new MilvusClientException(ErrorCode.RPC_ERROR, new RuntimeException(status));
  }
}
