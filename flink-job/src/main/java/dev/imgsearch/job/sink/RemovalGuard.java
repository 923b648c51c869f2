package dev.imgsearch.job.sink;

import dev.imgsearch.core.store.ImageRecord;
import java.io.IOException;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.flink.core.io.SimpleVersionedSerializer;
import org.apache.flink.core.memory.DataInputDeserializer;
import org.apache.flink.core.memory.DataOutputSerializer;

/**
 * The recent removals a {@link MilvusWriter} has applied, to recognise rows of a removed version
 * that arrive after the removal: deletions skip embedding, so a row of the old version that was
 * still being embedded can come later. After a file's deletion a row is a straggler unless the file
 * exists again (a re-add); after a change, a row of an older mtime is one.
 *
 * <p>Each removal is remembered for the guard time, counted from when it arrived or from the
 * restore: part of the writer's checkpointed state, because a restore replays the rows that were in
 * flight, stragglers included. So the state holds the removals of the last guard period only. Not
 * thread-safe: the writer's task thread uses it.
 */
final class RemovalGuard {

  /** One remembered removal; {@code keptMtimeMs} only counts when {@code wholeFile} is false. */
  record Entry(String path, long atMillis, boolean wholeFile, long keptMtimeMs) {}

  private final long guardMillis;
  private final Map<String, Entry> entries = new LinkedHashMap<>(); // oldest first

  RemovalGuard(long guardMillis) {
    this.guardMillis = guardMillis;
  }

  /** A removal this writer applies: remembered, replacing an older one of the same path. */
  void removed(RowChange change, long nowMillis) {
    entries.remove(change.path); // re-inserted last, so the map stays ordered by time
    entries.put(
        change.path,
        new Entry(change.path, nowMillis, change.op == RowChange.Op.DELETE_FILE, change.mtimeMs));
    expire(nowMillis);
  }

  /** A row that a removal already applied here has removed: writing it would revive it. */
  boolean isStraggler(ImageRecord row) {
    Entry removal = entries.get(row.filepath());
    if (removal == null) {
      return false;
    }
    if (!removal.wholeFile()) {
      return row.mtimeMs() < removal.keptMtimeMs();
    }
    return !exists(row.filepath());
  }

  private static boolean exists(String normalizedPath) {
    if (!normalizedPath.startsWith("/")) {
      return true; // not a local path: no way to check it here, so the row is written
    }
    return Files.exists(java.nio.file.Path.of(normalizedPath));
  }

  private void expire(long nowMillis) {
    for (Iterator<Entry> it = entries.values().iterator(); it.hasNext(); ) {
      if (nowMillis - it.next().atMillis() <= guardMillis) {
        break;
      }
      it.remove();
    }
  }

  List<Entry> snapshot() {
    return new ArrayList<>(entries.values());
  }

  /** Restored entries get a full guard period from now: the replayed rows arrive from now on. */
  void restore(Collection<Entry> restored, long nowMillis) {
    for (Entry e : restored) {
      entries.put(e.path(), new Entry(e.path(), nowMillis, e.wholeFile(), e.keptMtimeMs()));
    }
  }

  int size() {
    return entries.size();
  }

  /** Version 1: path, time, whole-file flag, kept mtime. */
  static final class EntrySerializer implements SimpleVersionedSerializer<Entry> {
    static final EntrySerializer INSTANCE = new EntrySerializer();

    @Override
    public int getVersion() {
      return 1;
    }

    @Override
    public byte[] serialize(Entry e) throws IOException {
      DataOutputSerializer out = new DataOutputSerializer(64);
      out.writeUTF(e.path());
      out.writeLong(e.atMillis());
      out.writeBoolean(e.wholeFile());
      out.writeLong(e.keptMtimeMs());
      return out.getCopyOfBuffer();
    }

    @Override
    public Entry deserialize(int version, byte[] bytes) throws IOException {
      if (version != 1) {
        throw new IOException("unknown removal guard version " + version + "; this build reads 1");
      }
      DataInputDeserializer in = new DataInputDeserializer(bytes);
      return new Entry(in.readUTF(), in.readLong(), in.readBoolean(), in.readLong());
    }
  }
}
