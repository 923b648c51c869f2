package dev.imgsearch.job.source;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.flink.core.io.SimpleVersionedSerializer;
import org.apache.flink.core.memory.DataInputDeserializer;
import org.apache.flink.core.memory.DataInputView;
import org.apache.flink.core.memory.DataOutputSerializer;
import org.apache.flink.core.memory.DataOutputView;

/**
 * Serializes the enumerator's {@link WatchState}. Version 1 writes the tracked files sorted by path
 * and front-coded (each path as the length it shares with the previous one plus the rest), with
 * variable-length numbers: files of one folder share long prefixes, so a tracked file costs about
 * its name's length plus a dozen bytes, not its whole path plus 16.
 */
public final class WatchStateSerializer implements SimpleVersionedSerializer<WatchState> {
  public static final WatchStateSerializer INSTANCE = new WatchStateSerializer();
  private static final int VERSION = 1;

  @Override
  public int getVersion() {
    return VERSION;
  }

  @Override
  public byte[] serialize(WatchState state) throws IOException {
    DataOutputSerializer out = new DataOutputSerializer(64 + 32 * state.known().size());
    out.writeLong(state.nextSplitId());

    String[] paths = state.known().keySet().toArray(String[]::new);
    Arrays.sort(paths);
    writeVarLong(out, paths.length);
    byte[] previous = new byte[0];
    for (String path : paths) {
      byte[] bytes = path.getBytes(StandardCharsets.UTF_8);
      int shared = sharedPrefix(previous, bytes);
      writeVarLong(out, shared);
      writeVarLong(out, bytes.length - shared);
      out.write(bytes, shared, bytes.length - shared);
      FolderWatch.FileVersion v = state.known().get(path);
      writeVarLong(out, v.mtimeMs());
      writeVarLong(out, v.sizeBytes());
      previous = bytes;
    }

    writeVarLong(out, state.missingSince().size());
    for (Map.Entry<String, Long> e : state.missingSince().entrySet()) {
      out.writeUTF(e.getKey());
      out.writeLong(e.getValue());
    }

    writeVarLong(out, state.pending().size());
    for (WatchSplit split : state.pending()) {
      WatchSplitSerializer.write(split, out);
    }
    return out.getCopyOfBuffer();
  }

  @Override
  public WatchState deserialize(int version, byte[] serialized) throws IOException {
    if (version != VERSION) {
      throw new IOException(
          "unknown watch state version " + version + "; this build reads version " + VERSION);
    }
    DataInputDeserializer in = new DataInputDeserializer(serialized);
    long nextSplitId = in.readLong();

    int files = (int) readVarLong(in);
    Map<String, FolderWatch.FileVersion> known = new HashMap<>(Math.max(16, files * 4 / 3 + 1));
    byte[] previous = new byte[0];
    for (int i = 0; i < files; i++) {
      int shared = (int) readVarLong(in);
      int rest = (int) readVarLong(in);
      if (shared > previous.length) {
        throw new IOException("corrupt watch state: prefix " + shared + " of " + previous.length);
      }
      byte[] bytes = Arrays.copyOf(previous, shared + rest);
      in.readFully(bytes, shared, rest);
      known.put(
          new String(bytes, StandardCharsets.UTF_8),
          new FolderWatch.FileVersion(readVarLong(in), readVarLong(in)));
      previous = bytes;
    }

    int missing = (int) readVarLong(in);
    Map<String, Long> missingSince = new HashMap<>();
    for (int i = 0; i < missing; i++) {
      missingSince.put(in.readUTF(), in.readLong());
    }

    int pendingCount = (int) readVarLong(in);
    List<WatchSplit> pending = new ArrayList<>(pendingCount);
    for (int i = 0; i < pendingCount; i++) {
      pending.add(WatchSplitSerializer.read(in));
    }
    return new WatchState(known, missingSince, pending, nextSplitId);
  }

  private static int sharedPrefix(byte[] a, byte[] b) {
    int n = Math.min(a.length, b.length);
    int i = 0;
    while (i < n && a[i] == b[i]) {
      i++;
    }
    return i;
  }

  /** Unsigned LEB128; negative values (an mtime before 1970) take the full ten bytes. */
  private static void writeVarLong(DataOutputView out, long value) throws IOException {
    while ((value & ~0x7FL) != 0) {
      out.writeByte((int) ((value & 0x7F) | 0x80));
      value >>>= 7;
    }
    out.writeByte((int) value);
  }

  private static long readVarLong(DataInputView in) throws IOException {
    long value = 0;
    for (int shift = 0; shift < 64; shift += 7) {
      byte b = in.readByte();
      value |= (long) (b & 0x7F) << shift;
      if ((b & 0x80) == 0) {
        return value;
      }
    }
    throw new IOException("corrupt watch state: variable-length number too long");
  }
}
