package dev.imgsearch.core.embed;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.util.Map;

/**
 * One ONNX Runtime session and the input buffer of the batch it runs: packs CHW tensors into the
 * buffer, runs, and returns unit-length vectors. Used by one thread at a time.
 */
final class InferenceSession implements AutoCloseable {

  /** Gives image {@code i}'s CHW tensor, possibly written into the reusable {@code scratch}. */
  interface TensorSource {
    float[] tensor(int i, float[] scratch);
  }

  private final OrtEnvironment env;
  private final OrtSession session;
  private final String inputName;
  private final int crop;
  private final int imageFloats;
  private final float[] scratch; // one image's tensor
  private FloatBuffer input; // reused across batches; grown when a larger batch arrives

  InferenceSession(OrtEnvironment env, OrtSession session, ModelInfo model) {
    this.env = env;
    this.session = session;
    this.inputName = model.inputName();
    this.crop = model.preprocess().crop();
    this.imageFloats = model.preprocess().tensorSize();
    this.scratch = new float[imageFloats];
  }

  OrtSession ortSession() {
    return session;
  }

  /**
   * Runs {@code count} images as a batch of {@code shape} ({@code >= count}): the rows after {@code
   * count} are zeros, and their outputs are dropped.
   */
  float[][] run(int count, int shape, TensorSource source) throws OrtException {
    int floats = shape * imageFloats;
    if (input == null || input.capacity() < floats) {
      // Direct and reused: ORT reads it in place, and a batch allocates nothing per image.
      input =
          ByteBuffer.allocateDirect(floats * Float.BYTES)
              .order(ByteOrder.nativeOrder())
              .asFloatBuffer();
    }
    input.clear();
    for (int i = 0; i < count; i++) {
      input.put(source.tensor(i, scratch));
    }
    if (shape > count) {
      java.util.Arrays.fill(scratch, 0f);
      for (int i = count; i < shape; i++) {
        input.put(scratch);
      }
    }
    input.flip();
    long[] dims = {shape, 3, crop, crop};
    try (OnnxTensor tensor = OnnxTensor.createTensor(env, input, dims);
        OrtSession.Result result = session.run(Map.of(inputName, tensor))) {
      FloatBuffer values = ((OnnxTensor) result.get(0)).getFloatBuffer();
      int dim = values.remaining() / shape;
      float[][] vectors = new float[count][dim];
      for (int i = 0; i < count; i++) {
        values.get(vectors[i]);
        EmbeddingPostprocessor.l2Normalize(vectors[i]);
      }
      return vectors;
    }
  }

  @Override
  public void close() throws OrtException {
    session.close();
  }
}
