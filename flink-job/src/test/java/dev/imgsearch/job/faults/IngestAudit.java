package dev.imgsearch.job.faults;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.imgsearch.core.store.ImageRecord;
import dev.imgsearch.core.store.MilvusImageStore;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Stream;

/**
 * What a run left behind, counted from the outputs themselves: every row in Milvus (read back with
 * a query iterator, not only {@code count(*)}) and every dead-letter line. Duplicates are counted
 * two ways: rows that share an id (which an upsert by primary key should make impossible) and rows
 * that share a file path (which would mean two ids for one file).
 */
record IngestAudit(
    long filesIn,
    long countStar,
    long rowsScanned,
    long distinctIds,
    long distinctPaths,
    long lostGood,
    long unexpected,
    Map<String, Long> rejectsByReason,
    long deadLetterLines) {

  static IngestAudit of(
      MilvusImageStore store,
      Collection<Path> good,
      Map<String, String> expectedRejects,
      Path deadLetters)
      throws IOException {
    Set<String> ids = new HashSet<>();
    Set<String> paths = new HashSet<>();
    long[] scanned = {0};
    store.scan(
        2000,
        (List<ImageRecord> page) -> {
          for (ImageRecord r : page) {
            scanned[0]++;
            ids.add(r.id());
            paths.add(r.filepath());
          }
        });
    Set<String> goodPaths = new HashSet<>();
    for (Path p : good) {
      goodPaths.add(p.toAbsolutePath().normalize().toString());
    }
    long lost = goodPaths.stream().filter(p -> !paths.contains(p)).count();
    long unexpected = paths.stream().filter(p -> !goodPaths.contains(p)).count();

    Map<String, String> rejected = new HashMap<>();
    long lines = 0;
    if (Files.isDirectory(deadLetters)) {
      try (Stream<Path> files = Files.list(deadLetters)) {
        for (Path f : files.toList()) {
          for (String line : Files.readAllLines(f, StandardCharsets.UTF_8)) {
            JsonObject o = JsonParser.parseString(line).getAsJsonObject();
            rejected.put(o.get("path").getAsString(), o.get("reason").getAsString());
            lines++;
          }
        }
      }
    }
    Map<String, Long> byReason = new TreeMap<>(SmallImages.countByReason(rejected));
    // Only the broken files may be rejected, each for its own reason.
    for (Map.Entry<String, String> e : rejected.entrySet()) {
      if (!e.getValue().equals(expectedRejects.get(e.getKey()))) {
        byReason.merge("UNEXPECTED(" + e.getValue() + ")", 1L, Long::sum);
      }
    }
    return new IngestAudit(
        goodPaths.size() + expectedRejects.size(),
        store.count(),
        scanned[0],
        ids.size(),
        paths.size(),
        lost,
        unexpected,
        byReason,
        lines);
  }

  /** Rows that repeat an id or a path already stored. */
  long duplicates() {
    return Math.max(rowsScanned - distinctIds, rowsScanned - distinctPaths);
  }

  long rejects() {
    return rejectsByReason.values().stream().mapToLong(Long::longValue).sum();
  }

  String format(String scenario) {
    return String.format(
        "[%s] files in %d; rows out %d (count(*) %d, distinct ids %d, distinct paths %d);"
            + " rejects %d %s (%d dead-letter lines); duplicates %d; lost good images %d;"
            + " unexpected rows %d",
        scenario,
        filesIn,
        rowsScanned,
        countStar,
        distinctIds,
        distinctPaths,
        rejects(),
        rejectsByReason,
        deadLetterLines,
        duplicates(),
        lostGood,
        unexpected);
  }
}
