package dev.imgsearch.cli;

import dev.imgsearch.cli.mixin.MilvusMixin;
import dev.imgsearch.cli.mixin.StacktraceOption;
import dev.imgsearch.core.store.ImageIds;
import dev.imgsearch.core.store.MilvusImageStore;
import dev.imgsearch.core.store.MilvusUnavailableException;
import dev.imgsearch.options.ExitCodes;
import dev.imgsearch.options.UserError;
import java.io.File;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code imgsearch prune}: deletes the rows of files that no longer exist. The watch mode of the
 * ingestion job does this by itself; a collection ingested in {@code once} mode needs this.
 */
@Command(
    name = "prune",
    mixinStandardHelpOptions = true,
    sortOptions = false,
    usageHelpAutoWidth = true,
    description = {
      "Deletes the rows (every frame of a video) whose files under --source no longer exist, for"
          + " collections ingested with --mode once. Rows of other folders are left alone.",
      "The collection's paths are read without vectors (query iterator), and each is checked on"
          + " disk; run it where the folder is mounted under the same path as for ingestion."
    })
public class PruneCommand implements Callable<Integer> {

  private static final int PAGE = 1000;

  @Spec CommandSpec spec;

  @Option(
      names = "--source",
      required = true,
      paramLabel = "DIR",
      description = "The ingested folder: rows of missing files under it are deleted.")
  Path source;

  @Option(names = "--dry-run", description = "List what would be deleted; delete nothing.")
  boolean dryRun;

  @Mixin MilvusMixin milvus;

  @Mixin StacktraceOption stacktrace;

  @Override
  public Integer call() {
    String root = ImageIds.normalize(source);
    if (!Files.isDirectory(source)) {
      // An unmounted share looks exactly like a folder whose files were all deleted.
      throw new UserError(
          ExitCodes.BAD_INPUT,
          "--source "
              + root
              + " is not a folder, so every row under it would be pruned; if its files are"
              + " really gone, create the empty folder and run prune again");
    }
    String prefix = root.endsWith(File.separator) ? root : root + File.separator;
    PrintWriter out = spec.commandLine().getOut();
    try (MilvusImageStore store = milvus.openStore()) {
      Map<String, Integer> missing = new TreeMap<>(); // path -> rows, sorted for the listing
      long[] scanned = new long[1];
      try {
        store.scanFilepaths(
            PAGE,
            paths -> {
              for (String path : paths) {
                scanned[0]++;
                if (path.startsWith(prefix) && !Files.exists(Path.of(path))) {
                  missing.merge(path, 1, Integer::sum);
                }
              }
            });
        int rows = missing.values().stream().mapToInt(Integer::intValue).sum();
        if (dryRun) {
          missing.keySet().forEach(out::println);
          out.printf(
              Locale.ROOT,
              "would prune %d rows of %d missing files under %s (%d rows scanned);"
                  + " run without --dry-run to delete them%n",
              rows,
              missing.size(),
              root,
              scanned[0]);
        } else {
          if (!missing.isEmpty()) {
            store.deleteByPaths(missing.keySet());
          }
          out.printf(
              Locale.ROOT,
              "pruned %d rows of %d missing files under %s (%d rows scanned)%n",
              rows,
              missing.size(),
              root,
              scanned[0]);
        }
      } catch (MilvusUnavailableException e) {
        throw UserError.milvusUnreachable(store.config().uri(), e);
      }
      out.flush();
      return ExitCodes.OK;
    }
  }
}
