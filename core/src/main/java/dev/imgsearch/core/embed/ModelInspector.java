package dev.imgsearch.core.embed;

import ai.onnxruntime.NodeInfo;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import ai.onnxruntime.TensorInfo;
import dev.imgsearch.core.preprocess.PreprocessSpec;
import java.util.Map;

/**
 * Reads what a loaded encoder is from the model itself: its tensor names, its output dimension (-1
 * when dynamic: the warm-up measures it), its preprocessing ({@link ModelMetadata}), and checks
 * that it is an image encoder this project can feed: one {@code [N, 3, H, W]} input whose size
 * matches its preprocessing, and a batch axis that is not fixed.
 */
final class ModelInspector {

  private ModelInspector() {}

  /**
   * @throws ModelException naming the file and what is wrong with it
   */
  static ModelInfo describe(OrtSession session, ModelFile file) throws OrtException {
    var path = file.path();
    if (session.getNumInputs() != 1) {
      throw new ModelException(
          "model "
              + path
              + " has "
              + session.getNumInputs()
              + " inputs; an image encoder takes exactly one [N, 3, H, W] tensor");
    }
    NodeInfo in = session.getInputInfo().values().iterator().next();
    NodeInfo out = session.getOutputInfo().values().iterator().next();
    if (!(in.getInfo() instanceof TensorInfo inInfo) || inInfo.getShape().length != 4) {
      throw new ModelException(
          "model " + path + " input '" + in.getName() + "' is not a [N, 3, H, W] float tensor");
    }
    long[] inShape = inInfo.getShape();
    if (inShape[1] != 3) {
      throw new ModelException(
          "model " + path + " expects " + inShape[1] + " channels; an RGB encoder expects 3");
    }
    Map<String, String> meta = session.getMetadata().getCustomMetadata();
    PreprocessSpec spec = ModelMetadata.preprocessSpec(meta);
    if ((inShape[2] > 0 && inShape[2] != spec.crop())
        || (inShape[3] > 0 && inShape[3] != spec.crop())) {
      throw new ModelException(
          String.format(
              "model %s expects %dx%d input, but its preprocessing crops %dx%d;"
                  + " set the ONNX metadata %s to match",
              path, inShape[3], inShape[2], spec.crop(), spec.crop(), ModelMetadata.CROP));
    }
    return new ModelInfo(
        ModelMetadata.name(meta, path),
        path,
        file.sha256(),
        in.getName(),
        out.getName(),
        outputDimension(out),
        spec);
  }

  /**
   * Refuses a model whose batch axis is fixed to another size than the batches it will run: it
   * would fail on the first batch otherwise.
   */
  static void requireBatchAxis(OrtSession session, ModelInfo model, int largestBatch)
      throws OrtException {
    long fixed =
        ((TensorInfo) session.getInputInfo().get(model.inputName()).getInfo()).getShape()[0];
    if (fixed > 0 && fixed != largestBatch) {
      throw new ModelException(
          "model "
              + model.path()
              + " takes batches of exactly "
              + fixed
              + " images, but batches of up to "
              + largestBatch
              + " are run; export it with a dynamic batch axis (models/export_resnet50.py does)");
    }
  }

  private static int outputDimension(NodeInfo out) {
    if (!(out.getInfo() instanceof TensorInfo outInfo)) {
      return -1;
    }
    long[] shape = outInfo.getShape();
    long d = 1;
    for (int i = 1; i < shape.length; i++) {
      if (shape[i] < 0) {
        return -1;
      }
      d *= shape[i];
    }
    return (int) d;
  }
}
