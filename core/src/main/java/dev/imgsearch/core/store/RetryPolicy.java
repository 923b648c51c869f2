package dev.imgsearch.core.store;

import java.time.Duration;
import java.util.Objects;

/**
 * Exponential backoff for transient Milvus errors: the delay before retry n (1-based) is {@code
 * initialDelay * 2^(n-1)}, capped at {@code maxDelay}. Gives up after {@code maxAttempts} calls or
 * once {@code maxTotalTime} has passed since the first call, whichever comes first.
 *
 * @param initialDelay delay before the first retry
 * @param maxDelay upper bound of one delay
 * @param maxAttempts total calls, including the first (1 disables retries)
 * @param maxTotalTime upper bound of the time spent on one operation, retries included
 */
public record RetryPolicy(
    Duration initialDelay, Duration maxDelay, int maxAttempts, Duration maxTotalTime)
    implements java.io.Serializable {

  public RetryPolicy {
    Objects.requireNonNull(initialDelay, "initialDelay must not be null");
    Objects.requireNonNull(maxDelay, "maxDelay must not be null");
    Objects.requireNonNull(maxTotalTime, "maxTotalTime must not be null");
    if (initialDelay.isNegative() || maxDelay.compareTo(initialDelay) < 0) {
      throw new IllegalArgumentException(
          "retry delays must satisfy 0 <= initialDelay <= maxDelay, got initialDelay="
              + initialDelay
              + ", maxDelay="
              + maxDelay);
    }
    if (maxAttempts < 1) {
      throw new IllegalArgumentException(
          "maxAttempts is " + maxAttempts + "; use 1 (no retry) or more");
    }
    if (maxTotalTime.isNegative() || maxTotalTime.isZero()) {
      throw new IllegalArgumentException("maxTotalTime must be positive, got " + maxTotalTime);
    }
  }

  /** 200 ms doubling to 10 s, for up to 2 minutes: rides out a Milvus restart. */
  public static RetryPolicy defaults() {
    return new RetryPolicy(
        Duration.ofMillis(200), Duration.ofSeconds(10), 20, Duration.ofMinutes(2));
  }

  public static RetryPolicy noRetry() {
    return new RetryPolicy(Duration.ZERO, Duration.ZERO, 1, Duration.ofDays(1));
  }

  /** Delay before retry number {@code retry} (1 for the first retry). */
  public Duration delayBeforeRetry(int retry) {
    if (retry < 1) {
      throw new IllegalArgumentException("retry numbers start at 1, got " + retry);
    }
    // Shifting past 30 would overflow long millis for any sane initial delay; the cap applies
    // first.
    long factor = 1L << Math.min(retry - 1, 30);
    long millis = initialDelay.toMillis() * factor;
    return millis < 0 || millis > maxDelay.toMillis() ? maxDelay : Duration.ofMillis(millis);
  }
}
