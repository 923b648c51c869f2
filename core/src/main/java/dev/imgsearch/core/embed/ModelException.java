package dev.imgsearch.core.embed;

/**
 * The model cannot be used at all: missing, not ONNX, the wrong shape, or no device to run it on. A
 * systemic failure, raised once at start-up, never per image.
 */
public final class ModelException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  public ModelException(String message) {
    super(message);
  }

  public ModelException(String message, Throwable cause) {
    super(message, cause);
  }
}
