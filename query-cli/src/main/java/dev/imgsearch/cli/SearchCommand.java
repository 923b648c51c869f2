package dev.imgsearch.cli;

import dev.imgsearch.cli.mixin.MilvusMixin;
import dev.imgsearch.cli.mixin.ModelMixin;
import dev.imgsearch.cli.mixin.StacktraceOption;
import dev.imgsearch.cli.render.HtmlReport;
import dev.imgsearch.cli.render.Json;
import dev.imgsearch.cli.render.ResultGrid;
import dev.imgsearch.cli.render.ResultView;
import dev.imgsearch.cli.render.SearchJson;
import dev.imgsearch.cli.render.SearchText;
import dev.imgsearch.cli.render.SearchView;
import dev.imgsearch.cli.render.Thumbnails;
import dev.imgsearch.cli.search.ImageSearch;
import dev.imgsearch.cli.search.QueryImages;
import dev.imgsearch.cli.search.SearchReport;
import dev.imgsearch.core.config.ModelConfig;
import dev.imgsearch.core.embed.OnnxEmbedder;
import dev.imgsearch.core.image.DecoderOptions;
import dev.imgsearch.core.image.ImageDecoder;
import dev.imgsearch.core.store.CollectionSpec;
import dev.imgsearch.core.store.IndexType;
import dev.imgsearch.core.store.MilvusImageStore;
import dev.imgsearch.core.store.SearchRequest;
import dev.imgsearch.options.ExitCodes;
import dev.imgsearch.options.UserError;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code imgsearch search IMAGE...}: the nearest stored images of each query image. */
@Command(
    name = "search",
    mixinStandardHelpOptions = true,
    sortOptions = false,
    usageHelpAutoWidth = true,
    description = {
      "Embeds the query images (one batch) and prints each one's nearest images in the collection,"
          + " closest first.",
      "Use --model with the encoder the collection was ingested with."
    })
public class SearchCommand implements Callable<Integer> {

  @Spec CommandSpec spec;

  @Parameters(arity = "1..*", paramLabel = "IMAGE", description = "Query images.")
  List<Path> images;

  @Option(
      names = {"-k", "--top-k"},
      defaultValue = "3",
      paramLabel = "K",
      description = "Hits per query image. Default: ${DEFAULT-VALUE}.")
  int k;

  @Option(
      names = "--filter",
      paramLabel = "EXPR",
      description =
          "Milvus boolean expression over the stored fields, e.g. 'frame_ms == -1' or"
              + " 'filepath like \"/photos/2024/%%\"'.")
  String filter;

  @ArgGroup(exclusive = true)
  Effort effort;

  static class Effort {
    @Option(
        names = "--nprobe",
        paramLabel = "N",
        description = "IVF_FLAT: clusters to search (recall vs. speed).")
    Integer nprobe;

    @Option(
        names = "--ef",
        paramLabel = "N",
        description = "HNSW: candidate list size, at least K (recall vs. speed).")
    Integer ef;
  }

  @Option(names = "--json", description = "Print one JSON document instead of text.")
  boolean json;

  @Option(
      names = "--grid",
      paramLabel = "FILE.png",
      description = "Also draw the results as a PNG: one row per query, the query then its hits.")
  Path grid;

  @Option(
      names = "--html",
      paramLabel = "FILE.html",
      description = "Also write the results as a self-contained HTML page.")
  Path html;

  @Mixin MilvusMixin milvus;

  @Mixin ModelMixin model;

  @Mixin StacktraceOption stacktrace;

  @Override
  public Integer call() throws IOException {
    if (k < 1 || k > SearchRequest.MAX_TOP_K) {
      throw new UserError(
          ExitCodes.BAD_INPUT, "-k is " + k + "; use 1 to " + SearchRequest.MAX_TOP_K);
    }
    SearchRequest request =
        SearchRequest.topK(k).withFilter(filter).withSearchEffort(searchEffort());
    ModelConfig modelConfig = model.toConfig();
    List<QueryImages.Decoded> queries =
        QueryImages.decode(images, new ImageDecoder(DecoderOptions.defaults()));

    SearchReport report;
    try (MilvusImageStore store = milvus.openStore();
        OnnxEmbedder embedder = OnnxEmbedder.open(ImageSearch.chooseModel(modelConfig, store))) {
      checkEffort(store.spec());
      report = ImageSearch.run(store, embedder, queries, request);
    }
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter notes = json ? spec.commandLine().getErr() : out;
    if (json) {
      out.println(Json.GSON.toJson(SearchJson.of(report)));
    } else {
      SearchText.print(report, out);
    }
    if (grid != null || html != null) {
      ResultView view = SearchView.of(report, new Thumbnails(240, 180));
      if (grid != null) {
        ResultGrid.write(view, grid);
        var layout = view.layout();
        notes.println("wrote " + grid + " (" + layout.width() + "x" + layout.height() + ")");
      }
      if (html != null) {
        HtmlReport.write(view, html);
        notes.println("wrote " + html);
      }
    }
    out.flush();
    notes.flush();
    return ExitCodes.OK;
  }

  private int searchEffort() {
    if (effort == null) {
      return 0;
    }
    int value = effort.nprobe != null ? effort.nprobe : effort.ef;
    if (value < 1) {
      throw new UserError(
          ExitCodes.BAD_INPUT,
          (effort.nprobe != null ? "--nprobe" : "--ef") + " is " + value + "; use 1 or more");
    }
    return value;
  }

  private void checkEffort(CollectionSpec collection) {
    if (effort == null) {
      return;
    }
    IndexType type = collection.index().type();
    if (effort.ef != null && type == IndexType.IVF_FLAT) {
      throw new UserError(
          ExitCodes.BAD_INPUT,
          "--ef tunes HNSW indexes, but collection '"
              + milvus.toConfig().collection()
              + "' has an IVF_FLAT index: use --nprobe");
    }
    if (effort.nprobe != null && type == IndexType.HNSW) {
      throw new UserError(
          ExitCodes.BAD_INPUT,
          "--nprobe tunes IVF_FLAT indexes, but collection '"
              + milvus.toConfig().collection()
              + "' has an HNSW index: use --ef");
    }
    if (type == IndexType.AUTOINDEX || type == IndexType.FLAT) {
      spec.commandLine()
          .getErr()
          .println(
              "warning: "
                  + (effort.ef != null ? "--ef" : "--nprobe")
                  + " has no effect on a "
                  + type
                  + " index");
    }
  }
}
