package dev.imgsearch.cli.search;

import dev.imgsearch.core.config.ModelConfig;
import dev.imgsearch.core.embed.CpuFeatures;
import dev.imgsearch.core.embed.ModelException;
import dev.imgsearch.core.embed.ModelVariants;
import dev.imgsearch.core.embed.OnnxEmbedder;
import dev.imgsearch.core.store.MilvusImageStore;
import dev.imgsearch.core.store.MilvusUnavailableException;
import dev.imgsearch.core.store.SearchRequest;
import dev.imgsearch.core.store.SearchResults;
import dev.imgsearch.options.ExitCodes;
import dev.imgsearch.options.UserError;
import java.util.List;
import java.util.Set;

/**
 * Searching by example images: the queries embedded in one batch with the model the collection was
 * ingested with, then searched in one call. Errors become {@link UserError}s that say what to do.
 */
public final class ImageSearch {

  private ImageSearch() {}

  public static SearchReport run(
      MilvusImageStore store,
      OnnxEmbedder embedder,
      List<QueryImages.Decoded> queries,
      SearchRequest request) {
    requireSameDimension(embedder, store);
    QueryImages.Embedded embedded = QueryImages.embed(embedder, queries);
    SearchResults results;
    try {
      results = store.search(List.of(embedded.vectors()), request);
    } catch (MilvusUnavailableException e) {
      throw UserError.milvusUnreachable(store.config().uri(), e);
    } catch (RuntimeException e) {
      if (request.filter() == null) {
        throw e;
      }
      throw new UserError(
          ExitCodes.FAILURE,
          "search with --filter '"
              + request.filter()
              + "' failed; check the expression (fields: filepath, model, frame_ms, width,"
              + " height, size_bytes, mtime_ms, content_sha256): "
              + e.getMessage(),
          e);
    }
    return new SearchReport(
        queries,
        results,
        embedded.nanos(),
        store.config().collection(),
        store.spec(),
        embedder.model().id(),
        embedder.provider());
  }

  /**
   * The copy of the model to embed queries with ({@link ModelVariants}): with the default {@code
   * auto}, the one whose vectors the collection holds, so that queries and stored images come from
   * the same model; without a collection ({@code store} null), by the CPU.
   */
  public static ModelConfig chooseModel(ModelConfig config, MilvusImageStore store) {
    try {
      ModelVariants.Choice choice =
          ModelVariants.choose(
              config.modelPath(),
              config.precision(),
              config.device(),
              CpuFeatures.current(),
              () -> store == null ? Set.of() : store.modelCounts().keySet(),
              file -> OnnxEmbedder.probe(config.withModelFile(file)).id());
      return config.withModelFile(choice.file()).withPrecision(choice.precision());
    } catch (ModelException e) {
      throw new UserError(ExitCodes.BAD_INPUT, e.getMessage(), e);
    }
  }

  /**
   * @throws UserError when the model's vectors cannot be compared with the collection's
   */
  public static void requireSameDimension(OnnxEmbedder embedder, MilvusImageStore store) {
    int modelDimension = embedder.dimension();
    int stored = store.spec().dimension();
    if (modelDimension != stored) {
      throw new UserError(
          ExitCodes.FAILURE,
          "model "
              + embedder.model().id()
              + " produces "
              + modelDimension
              + "-d vectors but collection '"
              + store.config().collection()
              + "' stores "
              + stored
              + "-d vectors; use the model the collection was ingested with ('imgsearch stats'"
              + " lists it) or another --collection");
    }
  }
}
