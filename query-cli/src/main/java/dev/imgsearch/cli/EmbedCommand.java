package dev.imgsearch.cli;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import dev.imgsearch.cli.mixin.ModelMixin;
import dev.imgsearch.cli.mixin.StacktraceOption;
import dev.imgsearch.cli.render.Json;
import dev.imgsearch.cli.search.ImageSearch;
import dev.imgsearch.cli.search.QueryImages;
import dev.imgsearch.core.config.ModelConfig;
import dev.imgsearch.core.embed.Npy;
import dev.imgsearch.core.embed.OnnxEmbedder;
import dev.imgsearch.core.image.DecoderOptions;
import dev.imgsearch.core.image.ImageDecoder;
import dev.imgsearch.options.ExitCodes;
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

/** {@code imgsearch embed IMAGE...}: the vectors the ingestion job would store. Needs no Milvus. */
@Command(
    name = "embed",
    mixinStandardHelpOptions = true,
    sortOptions = false,
    usageHelpAutoWidth = true,
    description = {
      "Embeds images exactly as the ingestion job does and prints the unit vectors, or writes"
          + " them as JSON or a NumPy .npy file ([N, D] float32, rows in argument order)."
    })
public class EmbedCommand implements Callable<Integer> {

  @Spec CommandSpec spec;

  @Parameters(arity = "1..*", paramLabel = "IMAGE", description = "Images to embed.")
  List<Path> images;

  @ArgGroup(exclusive = true)
  Output output;

  static class Output {
    @Option(names = "--json", description = "Print [{image, dimension, vector}] as JSON.")
    boolean json;

    @Option(
        names = "--npy",
        paramLabel = "FILE",
        description = "Write the vectors to a .npy file, shape [N, D], float32.")
    Path npy;
  }

  @Mixin ModelMixin model;

  @Mixin StacktraceOption stacktrace;

  @Override
  public Integer call() throws IOException {
    ModelConfig modelConfig = model.toConfig();
    List<QueryImages.Decoded> decoded =
        QueryImages.decode(images, new ImageDecoder(DecoderOptions.defaults()));
    PrintWriter out = spec.commandLine().getOut();
    try (OnnxEmbedder embedder = OnnxEmbedder.open(ImageSearch.chooseModel(modelConfig, null))) {
      float[][] vectors = QueryImages.embed(embedder, decoded).vectors();
      int dimension = embedder.dimension();
      if (output != null && output.npy != null) {
        Npy.write(output.npy, vectors);
        out.println(
            "wrote "
                + output.npy
                + ": ["
                + vectors.length
                + ", "
                + dimension
                + "] float32 from model "
                + embedder.model().id()
                + ", rows in argument order");
      } else if (output != null && output.json) {
        JsonArray array = new JsonArray();
        for (int i = 0; i < vectors.length; i++) {
          JsonObject item = new JsonObject();
          item.addProperty("image", decoded.get(i).path().toString());
          item.addProperty("dimension", vectors[i].length);
          item.addProperty("model", embedder.model().id());
          JsonArray vector = new JsonArray(vectors[i].length);
          for (float v : vectors[i]) {
            vector.add(v);
          }
          item.add("vector", vector);
          array.add(item);
        }
        out.println(Json.GSON.toJson(array));
      } else {
        out.println("# model " + embedder.model().id() + ", " + dimension + "-d unit vectors");
        for (int i = 0; i < vectors.length; i++) {
          StringBuilder line = new StringBuilder(decoded.get(i).path().toString()).append('\t');
          for (int j = 0; j < vectors[i].length; j++) {
            if (j > 0) {
              line.append(' ');
            }
            line.append(vectors[i][j]);
          }
          out.println(line);
        }
      }
      out.flush();
      return ExitCodes.OK;
    }
  }
}
