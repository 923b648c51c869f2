package dev.imgsearch.job.decode;

import dev.imgsearch.core.image.DecodeException;
import dev.imgsearch.core.image.DecodedImage;
import dev.imgsearch.core.preprocess.PreprocessSpec;
import dev.imgsearch.core.preprocess.TorchvisionPreprocessor;
import dev.imgsearch.job.source.ImageFile;
import dev.imgsearch.job.source.RawFrame;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * Turns a video record from {@link VideoFrameReader} into the encoder's tensor, with the same
 * preprocessing as a photo. A frame's {@code content_sha256} is the hash of its RGB pixels: the
 * file's hash is only known at its end, and identical frames then share a hash, which is what the
 * duplicates command looks for. Not thread-safe.
 */
public final class VideoFramePreprocessor {
  private final TorchvisionPreprocessor preprocessor;
  private final MessageDigest sha256;

  public VideoFramePreprocessor(PreprocessSpec spec) {
    this.preprocessor = new TorchvisionPreprocessor(spec);
    try {
      this.sha256 = MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  /**
   * @throws DecodeException for the record that says why the video stopped or could not be read
   *     (the reader checks the path length too, once per video)
   */
  public PreprocessedImage preprocess(ImageFile record) throws DecodeException {
    if (record.readError != null) {
      throw new DecodeException(record.readError, record.readErrorDetail);
    }
    RawFrame frame = record.frame;
    DecodedImage image = frame.image();
    return PreprocessedImage.of(
        record.path,
        preprocessor.window(image),
        HexFormat.of().formatHex(sha256.digest(frame.rgb)),
        record.sizeBytes,
        record.mtimeMs,
        frame.width,
        frame.height,
        frame.frameMs);
  }
}
