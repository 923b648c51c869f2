package dev.imgsearch.core.store;

/**
 * Milvus could not be reached, or kept answering with transient errors (unavailable, timeouts, rate
 * limits), until the {@link RetryPolicy} ran out. Distinct from a refusal, which retrying cannot
 * fix: callers such as the CLI tell the user to start or check the server.
 */
public class MilvusUnavailableException extends MilvusStoreException {

  public MilvusUnavailableException(String message, Throwable cause) {
    super(message, cause);
  }
}
