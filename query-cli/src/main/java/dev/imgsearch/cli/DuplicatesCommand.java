package dev.imgsearch.cli;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import dev.imgsearch.cli.mixin.MilvusMixin;
import dev.imgsearch.cli.mixin.StacktraceOption;
import dev.imgsearch.core.store.ImageFields;
import dev.imgsearch.core.store.ImageRecord;
import dev.imgsearch.core.store.MetricType;
import dev.imgsearch.core.store.MilvusImageStore;
import dev.imgsearch.core.store.MilvusUnavailableException;
import dev.imgsearch.core.store.SearchHit;
import dev.imgsearch.core.store.SearchRequest;
import dev.imgsearch.core.store.SearchResults;
import dev.imgsearch.options.ExitCodes;
import dev.imgsearch.options.UserError;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
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

  private static final int PAGE = 256;

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
    try (MilvusImageStore store = milvus.openStore()) {
      MetricType metric = store.spec().metric();
      float limit = threshold(metric);
      DuplicateGroups groups = new DuplicateGroups(metric.higherIsCloser());
      long[] scanned = {0};
      SearchRequest request =
          SearchRequest.topK(neighbors + 1)
              .withOutputFields(
                  List.of(ImageFields.FILEPATH, ImageFields.FRAME_MS, ImageFields.CONTENT_SHA256));
      try {
        store.scan(
            PAGE,
            page -> {
              scanned[0] += page.size();
              List<float[]> vectors = new ArrayList<>(page.size());
              for (ImageRecord row : page) {
                groups.add(member(row));
                vectors.add(row.vector());
              }
              SearchResults results = store.search(vectors, request);
              for (int i = 0; i < page.size(); i++) {
                DuplicateGroups.Member self = member(page.get(i));
                for (SearchHit hit : results.hits().get(i)) {
                  if (hit.id().equals(self.id()) || !within(metric, hit.distance(), limit)) {
                    continue;
                  }
                  groups.linkSimilar(
                      self,
                      new DuplicateGroups.Member(
                          hit.id(), hit.filepath(), hit.frameMs(), hit.contentSha256()),
                      hit.distance());
                }
              }
            });
      } catch (MilvusUnavailableException e) {
        throw UserError.milvusUnreachable(store.config().uri(), e);
      }
      List<DuplicateGroups.Group> found = groups.groups();
      PrintWriter out = spec.commandLine().getOut();
      if (json) {
        out.println(Json.GSON.toJson(toJson(store, metric, limit, scanned[0], found)));
      } else {
        printText(out, store, metric, limit, scanned[0], found);
      }
      out.flush();
      return ExitCodes.OK;
    }
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

  static boolean within(MetricType metric, float distance, float limit) {
    return metric.higherIsCloser() ? distance >= limit : distance <= limit;
  }

  private static DuplicateGroups.Member member(ImageRecord row) {
    return new DuplicateGroups.Member(row.id(), row.filepath(), row.frameMs(), row.contentSha256());
  }

  private static String describe(DuplicateGroups.Group group, MetricType metric) {
    List<String> parts = new ArrayList<>();
    if (group.sameContent()) {
      parts.add(
          "same bytes (sha256 " + group.members().get(0).contentSha256().substring(0, 12) + ")");
    }
    long sharing =
        group.members().stream()
            .collect(
                java.util.stream.Collectors.groupingBy(
                    DuplicateGroups.Member::contentSha256, java.util.stream.Collectors.counting()))
            .values()
            .stream()
            .filter(n -> n > 1)
            .mapToLong(Long::longValue)
            .sum();
    if (!group.sameContent() && sharing > 0) {
      parts.add(sharing + " of them with identical bytes");
    }
    if (!Float.isNaN(group.closest())) {
      String word = metric.higherIsCloser() ? "similarity" : "distance";
      parts.add(
          group.closest() == group.farthest()
              ? word + " " + Formats.distance(group.closest())
              : word
                  + " "
                  + Formats.distance(group.farthest())
                  + " to "
                  + Formats.distance(group.closest()));
    }
    return String.join(", ", parts);
  }

  private static void printText(
      PrintWriter out,
      MilvusImageStore store,
      MetricType metric,
      float limit,
      long scanned,
      List<DuplicateGroups.Group> groups) {
    String rule =
        metric.higherIsCloser()
            ? metric + " similarity >= " + limit
            : "squared L2 distance <= " + limit;
    out.println(
        "collection '"
            + store.config().collection()
            + "': "
            + scanned
            + " rows scanned; near-duplicate means same bytes or "
            + rule);
    if (groups.isEmpty()) {
      out.println("no duplicates found");
      return;
    }
    for (int g = 0; g < groups.size(); g++) {
      DuplicateGroups.Group group = groups.get(g);
      out.println();
      out.println(
          "group "
              + (g + 1)
              + ": "
              + group.members().size()
              + " images, "
              + describe(group, metric));
      for (DuplicateGroups.Member m : group.members()) {
        String frame = m.frameMs() >= 0 ? "  @ " + Formats.frameTime(m.frameMs()) : "";
        String sha = group.sameContent() ? "" : "  [" + m.contentSha256().substring(0, 12) + "]";
        out.println("  " + m.path() + frame + sha);
      }
    }
    int inGroups = groups.stream().mapToInt(gr -> gr.members().size()).sum();
    out.println();
    out.println(
        String.format(Locale.ROOT, "%d groups, %d images in them", groups.size(), inGroups));
  }

  private static JsonObject toJson(
      MilvusImageStore store,
      MetricType metric,
      float limit,
      long scanned,
      List<DuplicateGroups.Group> groups) {
    JsonObject doc = new JsonObject();
    doc.addProperty("collection", store.config().collection());
    doc.addProperty("metric", metric.name());
    doc.addProperty("higherIsCloser", metric.higherIsCloser());
    doc.addProperty("threshold", limit);
    doc.addProperty("rowsScanned", scanned);
    JsonArray array = new JsonArray();
    for (DuplicateGroups.Group group : groups) {
      JsonObject g = new JsonObject();
      g.addProperty("size", group.members().size());
      g.addProperty("sameContent", group.sameContent());
      if (!Float.isNaN(group.closest())) {
        g.addProperty("closestDistance", group.closest());
        g.addProperty("farthestDistance", group.farthest());
      }
      JsonArray members = new JsonArray();
      for (DuplicateGroups.Member m : group.members()) {
        JsonObject member = new JsonObject();
        member.addProperty("id", m.id());
        member.addProperty("path", m.path());
        member.addProperty("frameMs", m.frameMs());
        member.addProperty("contentSha256", m.contentSha256());
        members.add(member);
      }
      g.add("members", members);
      array.add(g);
    }
    doc.add("groups", array);
    return doc;
  }
}
