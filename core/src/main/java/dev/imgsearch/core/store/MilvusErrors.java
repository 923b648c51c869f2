package dev.imgsearch.core.store;

import io.milvus.v2.exception.ErrorCode;
import io.milvus.v2.exception.MilvusClientException;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Reads SDK exceptions: whether retrying can help, and what the server actually said. The SDK wraps
 * gRPC failures (its gRPC is shaded, so they are matched by status name in the message) and server
 * statuses in {@link MilvusClientException}, sometimes with a generic code and the real reason only
 * further down the cause chain.
 */
final class MilvusErrors {

  // gRPC status names that mean "the call did not get through or timed out; try again".
  private static final List<String> TRANSIENT_GRPC_STATUSES =
      List.of("UNAVAILABLE", "DEADLINE_EXCEEDED", "RESOURCE_EXHAUSTED");

  // Lower-case message fragments seen from the SDK and both servers for the same conditions.
  private static final List<String> TRANSIENT_MESSAGES =
      List.of(
          "connection refused",
          "connection reset",
          "deadline exceeded",
          "rate limit",
          "ratelimit",
          "service unavailable",
          "not ready",
          "io exception",
          "channel shutdown",
          "network closed",
          // Real Milvus right after a restart, until its coordinators have registered.
          "no available");

  // Milvus 2.3+ merr codes: ServiceNotReady, ServiceUnavailable, RequestLimitExceeded, RateLimit.
  private static final Set<Integer> TRANSIENT_SERVER_CODES = Set.of(1, 2, 4, 8);
  // Legacy commonpb.ErrorCode RateLimit.
  private static final int LEGACY_RATE_LIMIT = 49;

  // What the SDK throws when a status carries a legacy error code missing from its enum, as
  // Milvus Lite's CollectionNotLoaded (101) does; the server's reason is then lost.
  private static final String UNKNOWN_ENUM = "unknown enum value";

  private MilvusErrors() {}

  static boolean isTransient(Throwable error) {
    for (Throwable t : chain(error)) {
      if (t instanceof MilvusClientException mce) {
        if (mce.getErrorCode() == ErrorCode.TIMEOUT
            || TRANSIENT_SERVER_CODES.contains(mce.getServerErrCode())
            || mce.getLegacyServerCode() == LEGACY_RATE_LIMIT) {
          return true;
        }
      }
      String message = t.getMessage();
      if (message == null) {
        continue;
      }
      for (String status : TRANSIENT_GRPC_STATUSES) {
        if (message.startsWith(status) || message.contains(" " + status + ":")) {
          return true;
        }
      }
      String lower = message.toLowerCase(Locale.ROOT);
      for (String fragment : TRANSIENT_MESSAGES) {
        if (lower.contains(fragment)) {
          return true;
        }
      }
    }
    return false;
  }

  /**
   * Every distinct message along the cause chain, outermost first, with the server's error code
   * when there is one: the generic outer message alone often hides the reason.
   */
  static String reason(Throwable error) {
    List<String> parts = new ArrayList<>();
    for (Throwable t : chain(error)) {
      String message = t.getMessage();
      if (t instanceof MilvusClientException mce && mce.getServerErrCode() != 0) {
        message = message + " (server error code " + mce.getServerErrCode() + ")";
      }
      if (message == null || message.isBlank()) {
        message = t.getClass().getSimpleName();
      }
      String finalMessage = message;
      if (parts.stream().noneMatch(p -> p.contains(finalMessage))) {
        parts.add(message);
      }
    }
    String joined = String.join(" <- caused by: ", parts);
    if (joined.contains(UNKNOWN_ENUM)) {
      joined +=
          " (the server answered with a status code this SDK version cannot decode; the server's"
              + " own log has the real reason)";
    }
    return joined;
  }

  private static List<Throwable> chain(Throwable error) {
    List<Throwable> chain = new ArrayList<>();
    Map<Throwable, Boolean> seen = new IdentityHashMap<>();
    for (Throwable t = error; t != null && seen.put(t, true) == null; t = t.getCause()) {
      chain.add(t);
    }
    return chain;
  }
}
