package dev.imgsearch.cli;

import com.google.gson.JsonObject;
import dev.imgsearch.cli.mixin.MilvusMixin;
import dev.imgsearch.cli.mixin.StacktraceOption;
import dev.imgsearch.cli.render.Formats;
import dev.imgsearch.cli.render.Json;
import dev.imgsearch.core.store.CollectionInfo;
import dev.imgsearch.core.store.MilvusImageStore;
import dev.imgsearch.core.store.MilvusUnavailableException;
import dev.imgsearch.options.ExitCodes;
import dev.imgsearch.options.UserError;
import java.io.PrintWriter;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code imgsearch stats}: what the collection holds. */
@Command(
    name = "stats",
    mixinStandardHelpOptions = true,
    sortOptions = false,
    usageHelpAutoWidth = true,
    description =
        "Shows the collection's row count, vector dimension, metric, index, and the models whose"
            + " vectors it holds.")
public class StatsCommand implements Callable<Integer> {

  @Spec CommandSpec spec;

  @Option(names = "--json", description = "Print one JSON document instead of text.")
  boolean json;

  @Mixin MilvusMixin milvus;

  @Mixin StacktraceOption stacktrace;

  @Override
  public Integer call() {
    try (MilvusImageStore store = milvus.openStore()) {
      long rows;
      CollectionInfo info;
      Map<String, Long> models;
      try {
        rows = store.count();
        info = store.info();
        models = store.modelCounts();
      } catch (MilvusUnavailableException e) {
        throw UserError.milvusUnreachable(store.config().uri(), e);
      }
      PrintWriter out = spec.commandLine().getOut();
      if (json) {
        JsonObject doc = new JsonObject();
        doc.addProperty("collection", info.name());
        doc.addProperty("uri", store.config().uri());
        doc.addProperty("rows", rows);
        doc.addProperty("dimension", info.dimension());
        doc.addProperty("metric", info.metric().name());
        doc.addProperty("higherIsCloser", info.metric().higherIsCloser());
        JsonObject index = new JsonObject();
        index.addProperty("type", info.indexType());
        JsonObject params = new JsonObject();
        info.indexParams().forEach(params::addProperty);
        index.add("params", params);
        index.addProperty("state", info.indexState());
        index.addProperty("indexedRows", info.indexedRows());
        index.addProperty("totalRows", info.totalRows());
        doc.add("index", index);
        JsonObject modelCounts = new JsonObject();
        models.forEach(modelCounts::addProperty);
        doc.add("models", modelCounts);
        out.println(Json.GSON.toJson(doc));
      } else {
        String f = "%-11s %s%n";
        out.printf(Locale.ROOT, f, "collection", info.name());
        out.printf(Locale.ROOT, f, "uri", store.config().uri());
        out.printf(Locale.ROOT, f, "rows", rows);
        out.printf(Locale.ROOT, f, "dimension", info.dimension());
        out.printf(
            Locale.ROOT, f, "metric", info.metric() + " (" + Formats.closer(info.metric()) + ")");
        out.printf(
            Locale.ROOT,
            f,
            "index",
            info.indexType()
                + (info.indexParams().isEmpty() ? "" : " " + info.indexParams())
                + " ("
                + info.indexState()
                + ", "
                + info.indexedRows()
                + "/"
                + info.totalRows()
                + " rows indexed)");
        if (models.isEmpty()) {
          out.printf(Locale.ROOT, f, "models", "none (the collection is empty)");
        } else {
          int width = models.keySet().stream().mapToInt(String::length).max().orElse(0);
          String label = "models";
          for (Map.Entry<String, Long> e : models.entrySet()) {
            out.printf(
                Locale.ROOT, "%-11s %-" + width + "s  %d rows%n", label, e.getKey(), e.getValue());
            label = "";
          }
        }
      }
      out.flush();
      return ExitCodes.OK;
    }
  }
}
