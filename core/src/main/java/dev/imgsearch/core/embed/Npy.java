package dev.imgsearch.core.embed;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * NumPy's {@code .npy} format (version 1.0) for little-endian float32 arrays: how vectors and
 * reference tensors travel between this project and Python.
 */
public final class Npy {

  private static final byte[] MAGIC = {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y'};
  private static final Pattern SHAPE = Pattern.compile("'shape':\\s*\\(([^)]*)\\)");

  /** A float32 array with its shape, C order. */
  public record FloatArray(int[] shape, float[] data) {}

  private Npy() {}

  public static void write(Path path, float[][] rows) throws IOException {
    int cols = rows.length == 0 ? 0 : rows[0].length;
    float[] flat = new float[rows.length * cols];
    for (int i = 0; i < rows.length; i++) {
      if (rows[i].length != cols) {
        throw new IllegalArgumentException(
            "row " + i + " has " + rows[i].length + " values, not " + cols);
      }
      System.arraycopy(rows[i], 0, flat, i * cols, cols);
    }
    write(path, new int[] {rows.length, cols}, flat);
  }

  public static void write(Path path, int[] shape, float[] data) throws IOException {
    StringBuilder dims = new StringBuilder();
    for (int d : shape) {
      dims.append(d).append(", ");
    }
    String shapeText = shape.length == 1 ? shape[0] + "," : dims.substring(0, dims.length() - 2);
    String header = "{'descr': '<f4', 'fortran_order': False, 'shape': (" + shapeText + "), }";
    // Pad so that the data starts on a 64-byte boundary, as NumPy does.
    int unpadded = MAGIC.length + 2 + 2 + header.length() + 1;
    int padding = (64 - unpadded % 64) % 64;
    header = header + " ".repeat(padding) + "\n";
    byte[] headerBytes = header.getBytes(StandardCharsets.US_ASCII);
    ByteBuffer buf =
        ByteBuffer.allocate(MAGIC.length + 4 + headerBytes.length + data.length * 4)
            .order(ByteOrder.LITTLE_ENDIAN);
    buf.put(MAGIC).put((byte) 1).put((byte) 0).putShort((short) headerBytes.length);
    buf.put(headerBytes);
    buf.asFloatBuffer().put(data);
    Files.write(path, buf.array());
  }

  public static FloatArray read(Path path) throws IOException {
    ByteBuffer buf = ByteBuffer.wrap(Files.readAllBytes(path)).order(ByteOrder.LITTLE_ENDIAN);
    byte[] magic = new byte[MAGIC.length];
    buf.get(magic);
    if (!Arrays.equals(magic, MAGIC)) {
      throw new IOException(path + " is not a .npy file");
    }
    int major = buf.get();
    buf.get();
    int headerLength = major == 1 ? Short.toUnsignedInt(buf.getShort()) : buf.getInt();
    byte[] headerBytes = new byte[headerLength];
    buf.get(headerBytes);
    String header = new String(headerBytes, StandardCharsets.US_ASCII);
    if (!header.contains("'<f4'") || header.contains("'fortran_order': True")) {
      throw new IOException(path + " is not a C-order little-endian float32 array: " + header);
    }
    Matcher m = SHAPE.matcher(header);
    if (!m.find()) {
      throw new IOException(path + " has no shape in its header: " + header);
    }
    int[] shape =
        Arrays.stream(m.group(1).split(","))
            .map(String::strip)
            .filter(s -> !s.isEmpty())
            .mapToInt(Integer::parseInt)
            .toArray();
    int count = Arrays.stream(shape).reduce(1, (a, b) -> a * b);
    float[] data = new float[count];
    buf.slice().order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer().get(data);
    return new FloatArray(shape, data);
  }
}
