package dev.imgsearch.cli.render;

import dev.imgsearch.cli.duplicates.DuplicateGroups;
import dev.imgsearch.cli.duplicates.DuplicateReport;
import dev.imgsearch.core.store.MetricType;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.stream.Collectors;

/** Near-duplicate groups as text: each group, why its members belong together, their paths. */
public final class DuplicatesText {

  private DuplicatesText() {}

  public static void print(DuplicateReport report, PrintWriter out) {
    MetricType metric = report.metric();
    String rule =
        metric.higherIsCloser()
            ? metric + " similarity >= " + report.threshold()
            : "squared L2 distance <= " + report.threshold();
    out.println(
        "collection '"
            + report.collection()
            + "': "
            + report.rowsScanned()
            + " rows scanned; near-duplicate means same bytes or "
            + rule);
    List<DuplicateGroups.Group> groups = report.groups();
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

  private static String describe(DuplicateGroups.Group group, MetricType metric) {
    List<String> parts = new ArrayList<>();
    if (group.sameContent()) {
      parts.add(
          "same bytes (sha256 " + group.members().get(0).contentSha256().substring(0, 12) + ")");
    }
    long sharing =
        group.members().stream()
            .collect(
                Collectors.groupingBy(DuplicateGroups.Member::contentSha256, Collectors.counting()))
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
}
