package dev.imgsearch.core.store;

/**
 * The existing collection cannot hold what we would write: another dimension, metric or field
 * layout. Writing anyway would fail row by row or return meaningless distances.
 */
public class SchemaMismatchException extends MilvusStoreException {

  public SchemaMismatchException(String message) {
    super(message);
  }
}
