package dev.imgsearch.core.store;

import java.util.List;

/** {@link MilvusImageStore#openExisting} found no collection of that name. */
public class CollectionNotFoundException extends MilvusStoreException {

  private final String collection;
  private final List<String> existing;

  public CollectionNotFoundException(String collection, String uri, List<String> existing) {
    super(
        "Collection '"
            + collection
            + "' does not exist in Milvus at "
            + uri
            + (existing.isEmpty()
                ? " (it has no collections)"
                : " (it has: " + String.join(", ", existing) + ")")
            + ". Create it by ingesting images with the Flink job (flink-job.jar --source DIR"
            + " --model FILE --collection "
            + collection
            + "), or pass --collection with an existing one");
    this.collection = collection;
    this.existing = List.copyOf(existing);
  }

  public String collection() {
    return collection;
  }

  /** The collections that do exist in the database, sorted. */
  public List<String> existing() {
    return existing;
  }
}
