package dev.imgsearch.core.store;

import java.time.Duration;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs Milvus calls under a {@link RetryPolicy}, retrying only what {@link MilvusErrors} deems
 * transient.
 */
final class Retrier {

  private static final Logger LOG = LoggerFactory.getLogger(Retrier.class);

  private final RetryPolicy policy;
  private final String target;

  /**
   * @param target what is being called, for messages (e.g. the uri and collection)
   */
  Retrier(RetryPolicy policy, String target) {
    this.policy = policy;
    this.target = target;
  }

  <T> T call(String operation, Supplier<T> call) {
    long startNanos = System.nanoTime();
    for (int attempt = 1; ; attempt++) {
      try {
        T result = call.get();
        if (attempt > 1) {
          // The other half of the WARNs below: a reader of the log sees the outage end.
          LOG.info(
              "{} on {} succeeded on attempt {}, after {} ms of retries",
              operation,
              target,
              attempt,
              (System.nanoTime() - startNanos) / 1_000_000);
        }
        return result;
      } catch (RuntimeException e) {
        if (!MilvusErrors.isTransient(e)) {
          throw new MilvusStoreException(
              operation + " on " + target + " failed: " + MilvusErrors.reason(e), e);
        }
        Duration elapsed = Duration.ofNanos(System.nanoTime() - startNanos);
        Duration delay = policy.delayBeforeRetry(attempt);
        if (attempt >= policy.maxAttempts()
            || elapsed.plus(delay).compareTo(policy.maxTotalTime()) > 0) {
          throw new MilvusUnavailableException(
              operation
                  + " on "
                  + target
                  + " still failing after "
                  + attempt
                  + " attempts over "
                  + elapsed.toMillis()
                  + " ms: "
                  + MilvusErrors.reason(e)
                  + ". Check that Milvus is up and reachable, or raise the retry limits"
                  + " (maxAttempts, maxTotalTime)",
              e);
        }
        LOG.warn(
            "{} on {} failed (attempt {}), retrying in {} ms: {}",
            operation,
            target,
            attempt,
            delay.toMillis(),
            MilvusErrors.reason(e));
        sleep(delay);
      }
    }
  }

  void run(String operation, Runnable call) {
    call(
        operation,
        () -> {
          call.run();
          return null;
        });
  }

  private static void sleep(Duration delay) {
    try {
      Thread.sleep(delay.toMillis());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new MilvusStoreException("interrupted while waiting to retry a Milvus call", e);
    }
  }
}
