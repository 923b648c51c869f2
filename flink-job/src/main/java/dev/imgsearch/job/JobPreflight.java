package dev.imgsearch.job;

import dev.imgsearch.core.config.ModelConfig;
import dev.imgsearch.core.embed.CpuFeatures;
import dev.imgsearch.core.embed.ModelInfo;
import dev.imgsearch.core.embed.ModelVariants;
import dev.imgsearch.core.embed.OnnxEmbedder;
import dev.imgsearch.core.store.CollectionNotFoundException;
import dev.imgsearch.core.store.CollectionSpec;
import dev.imgsearch.core.store.MilvusImageStore;
import dev.imgsearch.core.store.SchemaMismatchException;
import dev.imgsearch.core.store.StoreOptions;
import dev.imgsearch.job.config.IngestJobConfig;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What the client checks before anything is submitted, so that a wrong file or a mismatched
 * collection fails at once with its fix, never once per record: which copy of the model runs (fp32
 * or int8, {@link ModelVariants}), that it loads and what it produces, and that the collection
 * exists (it is created) with that dimension and the metric asked for. The sink's writers then only
 * connect.
 */
final class JobPreflight {

  private static final Logger LOG = LoggerFactory.getLogger(JobPreflight.class);

  private final IngestJobConfig cfg;
  private final Map<Path, ModelInfo> probed = new HashMap<>();

  JobPreflight(IngestJobConfig cfg) {
    this.cfg = cfg;
  }

  /**
   * The model settings with the copy of the model that will run, logged once with the CPU's
   * features: the collection's own model if it holds one of the two, else by the CPU.
   */
  ModelConfig chooseModel() {
    probe(cfg.model()); // the file given must be a usable model, before any Milvus call
    CpuFeatures cpu = CpuFeatures.current();
    ModelVariants.Choice choice =
        ModelVariants.choose(
            cfg.model().modelPath(),
            cfg.model().precision(),
            cfg.model().device(),
            cpu,
            this::collectionModels,
            file -> probe(cfg.model().withModelFile(file)).id());
    LOG.info(
        "CPU {}: precision {} ({}): {}",
        cpu.describe(),
        choice.precision(),
        choice.reason(),
        choice.file());
    return cfg.model().withModelFile(choice.file()).withPrecision(choice.precision());
  }

  /**
   * Reads the model's dimension, preprocessing and hash with the cheapest load (no graph
   * optimization, one CPU thread): the TaskManagers load it for real.
   */
  ModelInfo probe(ModelConfig config) {
    return probed.computeIfAbsent(config.modelPath(), file -> OnnxEmbedder.probe(config));
  }

  /** Creates the collection, or validates an existing one's dimension and metric. */
  CollectionSpec prepareCollection(ModelInfo model) {
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

  /** The model ids the collection holds vectors of; none for a new (or foreign) collection. */
  private Set<String> collectionModels() {
    try (MilvusImageStore store =
        MilvusImageStore.openExisting(cfg.milvus(), StoreOptions.defaults())) {
      return store.modelCounts().keySet();
    } catch (CollectionNotFoundException | SchemaMismatchException e) {
      return Set.of(); // prepareCollection creates it, or says what is wrong with it
    }
  }
}
