package dev.imgsearch.cli;

import dev.imgsearch.cli.duplicates.DuplicateFinder;
import dev.imgsearch.cli.duplicates.DuplicateReport;
import dev.imgsearch.cli.mixin.MilvusMixin;
import dev.imgsearch.cli.mixin.StacktraceOption;
import dev.imgsearch.cli.render.DuplicatesJson;
import dev.imgsearch.cli.render.DuplicatesText;
import dev.imgsearch.cli.render.Json;
import dev.imgsearch.core.store.MetricType;
import dev.imgsearch.core.store.MilvusImageStore;
import dev.imgsearch.core.store.MilvusUnavailableException;
import dev.imgsearch.options.ExitCodes;
import dev.imgsearch.options.UserError;
import java.io.PrintWriter;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code imgsearch duplicates}: groups of near-identical images already in the collection. */
@Command(
    name = "duplicates",
    mixinStandardHelpOptions = true,
    sortOptions = false,
    usageHelpAutoWidth = true,
    description = {
      "Finds groups of near-identical images in the collection: rows with the same bytes"
          + " (content_sha256), or whose vectors are within --threshold of each other.",
      "Every row is read once (query iterator) and its nearest neighbours are searched in Milvus,"
          + " so the collection is never compared all against all in memory."
    })
public class DuplicatesCommand implements Callable<Integer> {

  /** Cosine similarity 0.98: re-encodes, resizes and small crops of one photo; not two shots. */
  static final float DEFAULT_SIMILARITY = 0.98f;

  /** The same closeness as squared L2 between unit vectors: 2 - 2 * 0.98. */
  static final float DEFAULT_L2 = 0.04f;

  @Spec CommandSpec spec;

  @Option(
      names = "--threshold",
      paramLabel = "D",
      description = {
        "Closeness for a near-duplicate, in the collection's metric: a similarity of at least D"
            + " for COSINE and IP (default "
            + DEFAULT_SIMILARITY
            + "), a squared L2 distance of at most D for L2 (default "
            + DEFAULT_L2
            + ", the same closeness on unit vectors)."
      })
  Float threshold;

  @Option(
      names = "--neighbors",
      defaultValue = "10",
      paramLabel = "N",
      description = "Nearest neighbours checked per image. Default: ${DEFAULT-VALUE}.")
  int neighbors;

  @Option(names = "--json", description = "Print one JSON document instead of text.")
  boolean json;

  @Mixin MilvusMixin milvus;

  @Mixin StacktraceOption stacktrace;

  @Override
  public Integer call() {
    if (neighbors < 1 || neighbors > 1000) {
      throw new UserError(ExitCodes.BAD_INPUT, "--neighbors is " + neighbors + "; use 1 to 1000");
    }
    DuplicateReport report;
    try (MilvusImageStore store = milvus.openStore()) {
      try {
        report = DuplicateFinder.find(store, neighbors, threshold(store.spec().metric()));
      } catch (MilvusUnavailableException e) {
        throw UserError.milvusUnreachable(store.config().uri(), e);
      }
    }
    PrintWriter out = spec.commandLine().getOut();
    if (json) {
      out.println(Json.GSON.toJson(DuplicatesJson.of(report)));
    } else {
      DuplicatesText.print(report, out);
    }
    out.flush();
    return ExitCodes.OK;
  }

  private float threshold(MetricType metric) {
    if (threshold == null) {
      return metric == MetricType.L2 ? DEFAULT_L2 : DEFAULT_SIMILARITY;
    }
    float t = threshold;
    if (metric == MetricType.COSINE && (t <= -1 || t > 1)) {
      throw new UserError(
          ExitCodes.BAD_INPUT,
          "--threshold is "
              + t
              + " but COSINE similarities lie in [-1, 1]; near-duplicates are around 0.95-0.99");
    }
    if (metric == MetricType.L2 && t < 0) {
      throw new UserError(
          ExitCodes.BAD_INPUT, "--threshold is " + t + " but L2 distances are never negative");
    }
    return t;
  }
}
