package dev.imgsearch.job;

import dev.imgsearch.core.config.ModelConfig;
import dev.imgsearch.core.embed.ModelInfo;
import dev.imgsearch.core.embed.OnnxEmbedder;
import dev.imgsearch.core.store.CollectionSpec;
import dev.imgsearch.core.store.MilvusImageStore;
import dev.imgsearch.core.store.SchemaMismatchException;
import dev.imgsearch.job.config.IngestJobConfig;

/**
 * What the client checks before anything is submitted, so that a wrong file or a mismatched
 * collection fails at once with its fix, never once per record: the model loads and says what it
 * produces, and the collection exists (it is created) with that dimension and the metric asked for.
 * The sink's writers then only connect.
 */
final class JobPreflight {

  private JobPreflight() {}

  /**
   * Reads the model's dimension, preprocessing and hash with the cheapest load (no graph
   * optimization, one CPU thread): the TaskManagers load it for real.
   */
  static ModelInfo probeModel(ModelConfig config) {
    return OnnxEmbedder.probe(config);
  }

  /** Creates the collection, or validates an existing one's dimension and metric. */
  static CollectionSpec prepareCollection(IngestJobConfig cfg, ModelInfo model) {
    CollectionSpec spec = cfg.collection().spec(model.dimension());
    try {
      MilvusImageStore.open(cfg.milvus(), spec).close();
    } catch (SchemaMismatchException e) {
      // The collection's message names it and the fix; the model file is the other half.
      throw new SchemaMismatchException(
          "model " + model.path() + " (" + model.dimension() + "-d): " + e.getMessage());
    }
    return spec;
  }
}
