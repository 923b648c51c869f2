package dev.imgsearch.job.source;

import java.io.IOException;
import org.apache.flink.connector.file.src.util.CheckpointedPosition;
import org.apache.flink.core.fs.Path;
import org.apache.flink.core.io.SimpleVersionedSerializer;
import org.apache.flink.core.memory.DataInputDeserializer;
import org.apache.flink.core.memory.DataInputView;
import org.apache.flink.core.memory.DataOutputSerializer;
import org.apache.flink.core.memory.DataOutputView;

/**
 * Version 1: lifecycle ordinal, split id, path, mtime, size, then the reader position if any. The
 * enumerator's checkpoint ({@link WatchStateSerializer}) embeds splits in the same layout.
 */
public final class WatchSplitSerializer implements SimpleVersionedSerializer<WatchSplit> {
  public static final WatchSplitSerializer INSTANCE = new WatchSplitSerializer();
  private static final int VERSION = 1;
  private static final ImageFile.Lifecycle[] LIFECYCLES = ImageFile.Lifecycle.values();

  @Override
  public int getVersion() {
    return VERSION;
  }

  @Override
  public byte[] serialize(WatchSplit split) throws IOException {
    DataOutputSerializer out = new DataOutputSerializer(64);
    write(split, out);
    return out.getCopyOfBuffer();
  }

  @Override
  public WatchSplit deserialize(int version, byte[] bytes) throws IOException {
    if (version != VERSION) {
      throw new IOException(
          "unknown watch split version " + version + "; this build reads version " + VERSION);
    }
    return read(new DataInputDeserializer(bytes));
  }

  static void write(WatchSplit split, DataOutputView out) throws IOException {
    out.writeByte(split.lifecycle().ordinal());
    out.writeUTF(split.splitId());
    out.writeUTF(split.path().toString());
    out.writeLong(split.fileModificationTime());
    out.writeLong(split.fileSize());
    var position = split.getReaderPosition();
    out.writeBoolean(position.isPresent());
    if (position.isPresent()) {
      out.writeLong(position.get().getOffset());
      out.writeLong(position.get().getRecordsAfterOffset());
    }
  }

  static WatchSplit read(DataInputView in) throws IOException {
    int ordinal = in.readByte();
    if (ordinal < 0 || ordinal >= LIFECYCLES.length) {
      throw new IOException("corrupt watch split: lifecycle " + ordinal);
    }
    String id = in.readUTF();
    Path path = new Path(in.readUTF());
    long mtime = in.readLong();
    long size = in.readLong();
    CheckpointedPosition position =
        in.readBoolean() ? new CheckpointedPosition(in.readLong(), in.readLong()) : null;
    return new WatchSplit(id, LIFECYCLES[ordinal], path, mtime, size, position);
  }
}
