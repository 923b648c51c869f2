package dev.imgsearch.core.config;

import java.io.Serializable;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;

/**
 * How ONNX Runtime's CUDA provider runs the encoder, when a GPU is used.
 *
 * @param convAlgoSearch cuDNN's convolution algorithm choice: {@code EXHAUSTIVE} benchmarks every
 *     algorithm once per input shape (the best for long-running jobs, whose batches keep a few
 *     shapes), {@code HEURISTIC} asks cuDNN's heuristics (fast start), {@code DEFAULT} takes the
 *     first algorithm
 * @param memLimitBytes cap of the provider's GPU memory arena; 0 for no cap. Set it when the GPU is
 *     shared, e.g. with a second TaskManager slot or another job
 * @param tf32 whether fp32 convolutions and matrix products may use TF32 tensor cores (Ampere and
 *     later): faster, with about 10 bits of mantissa in the products
 */
public record CudaSettings(ConvAlgoSearch convAlgoSearch, long memLimitBytes, boolean tf32)
    implements Serializable {

  public enum ConvAlgoSearch {
    EXHAUSTIVE,
    HEURISTIC,
    DEFAULT;

    public static ConvAlgoSearch parse(String text) {
      try {
        return valueOf(text.trim().toUpperCase(Locale.ROOT));
      } catch (IllegalArgumentException | NullPointerException e) {
        throw new IllegalArgumentException(
            "unknown cuDNN algorithm search '" + text + "': use exhaustive, heuristic or default");
      }
    }
  }

  public CudaSettings {
    Objects.requireNonNull(convAlgoSearch, "convAlgoSearch");
    if (memLimitBytes < 0) {
      throw new IllegalArgumentException("memLimitBytes must be >= 0, got " + memLimitBytes);
    }
  }

  public static CudaSettings defaults() {
    return new CudaSettings(ConvAlgoSearch.EXHAUSTIVE, 0, true);
  }

  public CudaSettings withConvAlgoSearch(ConvAlgoSearch value) {
    return new CudaSettings(value, memLimitBytes, tf32);
  }

  public CudaSettings withMemLimitBytes(long value) {
    return new CudaSettings(convAlgoSearch, value, tf32);
  }

  public CudaSettings withTf32(boolean value) {
    return new CudaSettings(convAlgoSearch, memLimitBytes, value);
  }

  /** The CUDA provider's option strings, as ONNX Runtime names them. */
  public Map<String, String> providerOptions(int deviceId) {
    Map<String, String> options = new LinkedHashMap<>();
    options.put("device_id", Integer.toString(deviceId));
    options.put("cudnn_conv_algo_search", convAlgoSearch.name());
    // Batches of a few sizes: grow the arena by what is asked, not by powers of two.
    options.put("arena_extend_strategy", "kSameAsRequested");
    if (memLimitBytes > 0) {
      options.put("gpu_mem_limit", Long.toString(memLimitBytes));
    }
    options.put("use_tf32", tf32 ? "1" : "0");
    return options;
  }

  /**
   * Parses a memory size: bytes, or a number with k, m or g (binary units), e.g. {@code 8g}.
   *
   * @throws IllegalArgumentException naming the accepted forms
   */
  public static long parseBytes(String text) {
    String s = text.trim().toLowerCase(Locale.ROOT);
    long unit = 1;
    if (s.endsWith("k") || s.endsWith("m") || s.endsWith("g")) {
      unit = 1L << (10 * ("kmg".indexOf(s.charAt(s.length() - 1)) + 1));
      s = s.substring(0, s.length() - 1);
    }
    try {
      long value = Long.parseLong(s.trim());
      if (value < 0) {
        throw new NumberFormatException();
      }
      return Math.multiplyExact(value, unit);
    } catch (NumberFormatException | ArithmeticException e) {
      throw new IllegalArgumentException(
          "cannot read '" + text + "' as a memory size: use bytes or a number with k, m or g");
    }
  }
}
