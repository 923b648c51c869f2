package dev.imgsearch.cli.search;

import dev.imgsearch.core.embed.OnnxEmbedder;
import dev.imgsearch.core.image.DecodeException;
import dev.imgsearch.core.image.DecodedImage;
import dev.imgsearch.core.image.ImageDecoder;
import dev.imgsearch.core.image.RejectReason;
import dev.imgsearch.core.preprocess.TorchvisionPreprocessor;
import dev.imgsearch.options.ExitCodes;
import dev.imgsearch.options.UserError;
import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** Query images through core's decode, preprocess and embed: the ingestion job's exact path. */
public final class QueryImages {

  /** One query image, decoded (EXIF orientation applied). */
  public record Decoded(Path path, DecodedImage image) {}

  /** Unit vectors in argument order, and the time preprocessing plus the one embed call took. */
  public record Embedded(float[][] vectors, long nanos) {}

  private QueryImages() {}

  /**
   * Reads and decodes every image; the first one that fails stops the command with exit code 2, its
   * path, the reason and the fix.
   */
  public static List<Decoded> decode(List<Path> paths, ImageDecoder decoder) {
    List<Decoded> out = new ArrayList<>(paths.size());
    for (Path path : paths) {
      out.add(new Decoded(path, decode(path, decoder)));
    }
    return out;
  }

  static DecodedImage decode(Path path, ImageDecoder decoder) {
    byte[] bytes;
    try {
      if (Files.isDirectory(path)) {
        throw unusable(path, RejectReason.UNREADABLE, "it is a directory");
      }
      bytes = Files.readAllBytes(path);
    } catch (NoSuchFileException e) {
      throw unusable(path, RejectReason.UNREADABLE, "no such file");
    } catch (AccessDeniedException e) {
      throw unusable(path, RejectReason.UNREADABLE, "permission denied");
    } catch (IOException e) {
      throw unusable(path, RejectReason.UNREADABLE, String.valueOf(e.getMessage()));
    }
    if (bytes.length == 0) {
      throw unusable(path, RejectReason.EMPTY, "0 bytes");
    }
    try {
      return decoder.decode(bytes);
    } catch (DecodeException e) {
      throw unusable(path, e.reason(), e.detail());
    }
  }

  private static UserError unusable(Path path, RejectReason reason, String detail) {
    return new UserError(
        ExitCodes.BAD_INPUT,
        "cannot use query image "
            + path
            + ": "
            + reason.description()
            + " ("
            + detail
            + "); "
            + reason.fix());
  }

  /** Preprocesses with the model's own spec and embeds all images in one batched call. */
  public static Embedded embed(OnnxEmbedder embedder, List<Decoded> images) {
    long start = System.nanoTime();
    TorchvisionPreprocessor preprocessor = new TorchvisionPreprocessor(embedder.preprocessSpec());
    List<float[]> tensors = new ArrayList<>(images.size());
    for (Decoded image : images) {
      tensors.add(preprocessor.preprocess(image.image()));
    }
    float[][] vectors = embedder.embed(tensors);
    return new Embedded(vectors, System.nanoTime() - start);
  }
}
