package dev.imgsearch.core.embed;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * An encoder file that exists, and the SHA-256 of its bytes: stored (shortened) with every vector,
 * so that vectors of two models are never mixed, and compared on every TaskManager.
 *
 * @param path absolute, normalized
 */
record ModelFile(Path path, String sha256) {

  /**
   * @throws ModelException naming the file and the fix when it is missing or unreadable
   */
  static ModelFile read(Path file) {
    Path path = file.toAbsolutePath().normalize();
    if (!Files.isRegularFile(path)) {
      throw new ModelException(
          "model file "
              + path
              + " does not exist; pass --model with the path of an ONNX encoder"
              + " (models/export_resnet50.py exports ResNet50)");
    }
    return new ModelFile(path, sha256(path));
  }

  static String sha256(Path path) {
    try (InputStream in = Files.newInputStream(path)) {
      MessageDigest digest = MessageDigest.getInstance("SHA-256");
      byte[] buf = new byte[1 << 16];
      for (int n; (n = in.read(buf)) > 0; ) {
        digest.update(buf, 0, n);
      }
      return HexFormat.of().formatHex(digest.digest());
    } catch (IOException e) {
      throw new ModelException(
          "cannot read model file " + path + ": " + e.getMessage() + "; check its permissions", e);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
