package dev.imgsearch.core.store;

/** A Milvus operation failed for good: the message names the operation, the reason and a fix. */
public class MilvusStoreException extends RuntimeException {

  public MilvusStoreException(String message) {
    super(message);
  }

  public MilvusStoreException(String message, Throwable cause) {
    super(message, cause);
  }
}
