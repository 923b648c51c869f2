package dev.imgsearch.job.decode;

import dev.imgsearch.core.image.DecodeException;
import dev.imgsearch.core.image.DecodedImage;
import dev.imgsearch.core.image.DecoderOptions;
import dev.imgsearch.core.image.ImageDecoder;
import dev.imgsearch.core.image.RejectReason;
import dev.imgsearch.core.preprocess.PreprocessSpec;
import dev.imgsearch.core.preprocess.TorchvisionPreprocessor;
import dev.imgsearch.core.store.ImageFields;
import dev.imgsearch.job.source.ImageFile;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/** The core decode and preprocess steps applied to one {@link ImageFile}. Not thread-safe. */
final class FileDecoder {
  private final ImageDecoder decoder;
  private final TorchvisionPreprocessor preprocessor;
  private final MessageDigest sha256;

  FileDecoder(DecoderOptions options, PreprocessSpec spec) {
    this.decoder = new ImageDecoder(options);
    this.preprocessor = new TorchvisionPreprocessor(spec);
    try {
      this.sha256 = MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  PreprocessedImage decode(ImageFile file) throws DecodeException {
    if (file.readError != null) {
      throw new DecodeException(file.readError, file.readErrorDetail);
    }
    int pathBytes = file.path.getBytes(StandardCharsets.UTF_8).length;
    if (pathBytes > ImageFields.FILEPATH_MAX_LENGTH) {
      // Checked here, where a bad file is data; later the row itself would refuse it.
      throw new DecodeException(
          RejectReason.PATH_TOO_LONG,
          "path has " + pathBytes + " UTF-8 bytes, limit is " + ImageFields.FILEPATH_MAX_LENGTH);
    }
    DecodedImage image = decoder.decode(file.bytes);
    return PreprocessedImage.of(
        file.path,
        preprocessor.window(image),
        HexFormat.of().formatHex(sha256.digest(file.bytes)),
        file.sizeBytes,
        file.mtimeMs,
        image.sourceWidth(),
        image.sourceHeight(),
        -1);
  }
}
