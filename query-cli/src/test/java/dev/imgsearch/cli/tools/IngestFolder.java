package dev.imgsearch.cli.tools;

import dev.imgsearch.core.config.MilvusConfig;
import dev.imgsearch.core.config.ModelConfig;
import dev.imgsearch.core.embed.OnnxEmbedder;
import dev.imgsearch.core.image.DecodedImage;
import dev.imgsearch.core.image.DecoderOptions;
import dev.imgsearch.core.image.ImageDecoder;
import dev.imgsearch.core.preprocess.TorchvisionPreprocessor;
import dev.imgsearch.core.store.CollectionSpec;
import dev.imgsearch.core.store.ImageRecord;
import dev.imgsearch.core.store.MilvusImageStore;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.stream.Stream;

/**
 * Manual-check helper, not a test: ingests the first N images of a folder straight through the
 * store, for trying the CLI by hand without the Flink job. Args: URI MODEL DIR [N].
 */
public final class IngestFolder {

  public static void main(String[] args) throws Exception {
    MilvusConfig config = MilvusConfig.defaults().withUri(args[0]);
    int limit = args.length > 3 ? Integer.parseInt(args[3]) : Integer.MAX_VALUE;
    List<Path> files;
    try (Stream<Path> list = Files.list(Path.of(args[2]))) {
      files = list.filter(Files::isRegularFile).sorted().limit(limit).toList();
    }
    ImageDecoder decoder = new ImageDecoder(DecoderOptions.defaults());
    try (OnnxEmbedder embedder = OnnxEmbedder.open(ModelConfig.of(Path.of(args[1])));
        MilvusImageStore store =
            MilvusImageStore.open(config, CollectionSpec.forDimension(embedder.dimension()))) {
      TorchvisionPreprocessor pre = new TorchvisionPreprocessor(embedder.preprocessSpec());
      List<ImageRecord> rows = new ArrayList<>();
      for (Path file : files) {
        byte[] bytes = Files.readAllBytes(file);
        DecodedImage image = decoder.decode(bytes);
        float[] vector = embedder.embed(List.of(pre.preprocess(image)))[0];
        rows.add(
            ImageRecord.of(
                file.toAbsolutePath(),
                ImageRecord.STILL_IMAGE,
                vector,
                HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes)),
                bytes.length,
                image.width(),
                image.height(),
                Files.getLastModifiedTime(file).toMillis(),
                embedder.model().id(),
                System.currentTimeMillis()));
      }
      store.upsert(rows);
      System.out.println("ingested " + rows.size() + " images, collection has " + store.count());
    }
  }
}
