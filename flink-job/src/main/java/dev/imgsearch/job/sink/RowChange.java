package dev.imgsearch.job.sink;

import dev.imgsearch.core.store.ImageRecord;
import dev.imgsearch.job.source.ImageFile;
import java.util.Objects;

/**
 * What the {@link MilvusSink} does to the collection: upsert one row, delete every row of a file,
 * or delete the rows of a changed file that came from another version of it. A POJO for Flink's
 * serializer; build it with the factories.
 */
public class RowChange {

  public enum Op {
    UPSERT,
    DELETE_FILE,
    DELETE_OTHER_VERSIONS
  }

  public Op op;
  public ImageRecord row;

  /** The normalized path whose rows are deleted; the row's path for an upsert. */
  public String path;

  /** For DELETE_OTHER_VERSIONS: the mtime of the version to keep. */
  public long mtimeMs;

  public RowChange() {}

  public static RowChange upsert(ImageRecord row) {
    RowChange c = new RowChange();
    c.op = Op.UPSERT;
    c.row = Objects.requireNonNull(row, "row");
    c.path = row.filepath();
    c.mtimeMs = row.mtimeMs();
    return c;
  }

  public static RowChange deleteFile(String path) {
    RowChange c = new RowChange();
    c.op = Op.DELETE_FILE;
    c.path = Objects.requireNonNull(path, "path");
    return c;
  }

  public static RowChange deleteOtherVersions(String path, long keepMtimeMs) {
    RowChange c = deleteFile(path);
    c.op = Op.DELETE_OTHER_VERSIONS;
    c.mtimeMs = keepMtimeMs;
    return c;
  }

  /** The change a lifecycle marker of the watch source asks for. */
  public static RowChange of(ImageFile marker) {
    return switch (marker.lifecycle) {
      case DELETED -> deleteFile(marker.path);
      case REPLACED -> deleteOtherVersions(marker.path, marker.mtimeMs);
      case CONTENT ->
          throw new IllegalArgumentException(
              "content of " + marker.path + " is embedded and upserted, not a row change");
    };
  }

  /** The key that keeps every change of one file in order on one sink writer. */
  public String path() {
    return path;
  }

  @Override
  public String toString() {
    return "RowChange{" + op + " " + path + (op == Op.UPSERT ? "" : ", mtime " + mtimeMs) + "}";
  }
}
