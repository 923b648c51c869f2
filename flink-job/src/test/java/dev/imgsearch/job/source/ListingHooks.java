package dev.imgsearch.job.source;

import dev.imgsearch.job.config.IngestJobConfig;
import java.io.IOException;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;
import org.apache.flink.connector.file.src.FileSource;
import org.apache.flink.connector.file.src.FileSourceSplit;
import org.apache.flink.connector.file.src.enumerate.FileEnumerator;
import org.apache.flink.core.fs.Path;

/**
 * The job's own folder source, with a hook that runs right after the folder was listed and before
 * any listed file is read: the moment at which a user deletes a file, or a copy is still going on.
 * The hook runs in the split enumerator, so only on a MiniCluster (one JVM) does it reach the
 * test's code.
 */
public final class ListingHooks {
  private static final Map<String, Consumer<List<java.nio.file.Path>>> HOOKS =
      new ConcurrentHashMap<>();

  private ListingHooks() {}

  public static FileSource<ImageFile> folder(
      IngestJobConfig cfg, Consumer<List<java.nio.file.Path>> afterListing) {
    String key = UUID.randomUUID().toString();
    HOOKS.put(key, afterListing);
    TreeSet<String> extensions = new TreeSet<>(cfg.source().extensions());
    return FileSource.forBulkFileFormat(
            new WholeFileFormat(cfg.source().maxFileBytes()),
            Path.fromLocalFile(cfg.source().path().toFile()))
        .setFileEnumerator(() -> new Hooked(new ImageFileEnumerator(extensions), key))
        .build();
  }

  private static final class Hooked implements FileEnumerator {
    private final FileEnumerator listing;
    private final String key;

    Hooked(FileEnumerator listing, String key) {
      this.listing = listing;
      this.key = key;
    }

    @Override
    public Collection<FileSourceSplit> enumerateSplits(Path[] paths, int minDesiredNumberOfSplits)
        throws IOException {
      Collection<FileSourceSplit> splits = listing.enumerateSplits(paths, minDesiredNumberOfSplits);
      List<java.nio.file.Path> listed = new ArrayList<>();
      for (FileSourceSplit split : splits) {
        listed.add(Paths.get(split.path().toUri().getPath()));
      }
      HOOKS.get(key).accept(listed);
      return splits;
    }
  }
}
