package dev.imgsearch.job.source;

import java.io.IOException;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.flink.api.connector.source.SplitEnumerator;
import org.apache.flink.api.connector.source.SplitEnumeratorContext;
import org.apache.flink.connector.file.src.FileSourceSplit;
import org.apache.flink.connector.file.src.enumerate.FileEnumerator;
import org.apache.flink.core.fs.Path;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Lists the folder every scan interval and turns the differences into splits: a new file becomes a
 * content split, a changed one a {@code REPLACED} marker followed by a content split, and a file
 * missing for the whole delete delay a {@code DELETED} marker, after one more existence check of
 * its own so that a listing hiccup deletes nothing. A listing that fails, or finds the folder
 * itself gone (an unmounted share), changes nothing.
 *
 * <p>All splits of one path go to the same reader ({@link #owner}), which reads its splits in the
 * order they were assigned: a delete can never overtake the read of the file it deletes, nor a
 * re-added file's read its own earlier deletion. The rest of the ordering is kept downstream (see
 * {@code IngestJob}).
 */
final class WatchEnumerator implements SplitEnumerator<WatchSplit, WatchState> {
  private static final Logger LOG = LoggerFactory.getLogger(WatchEnumerator.class);

  private final SplitEnumeratorContext<WatchSplit> context;
  private final Path root;
  private final FileEnumerator lister;
  private final long scanIntervalMs;
  private final FolderWatch watch;
  private final List<ArrayDeque<WatchSplit>> queues;
  private final Set<Integer> awaiting = new LinkedHashSet<>();
  private long nextSplitId;

  /** Deletion candidates, published to the scanning thread; replaced whole, never mutated. */
  private volatile List<String> toRecheck = List.of();

  WatchEnumerator(
      SplitEnumeratorContext<WatchSplit> context,
      Path root,
      FileEnumerator lister,
      long scanIntervalMs,
      FolderWatch watch,
      Collection<WatchSplit> pending,
      long nextSplitId) {
    this.context = context;
    this.root = root;
    this.lister = lister;
    this.scanIntervalMs = scanIntervalMs;
    this.watch = watch;
    this.nextSplitId = nextSplitId;
    int parallelism = Math.max(1, context.currentParallelism());
    this.queues = new ArrayList<>(parallelism);
    for (int i = 0; i < parallelism; i++) {
      queues.add(new ArrayDeque<>());
    }
    for (WatchSplit split : pending) {
      queues.get(owner(split)).addLast(split);
    }
    watch.pruneOrphans();
  }

  @Override
  public void start() {
    context.metricGroup().gauge("trackedFiles", watch::trackedFiles);
    context.metricGroup().gauge("filesAwaitingDeletion", watch::awaitingDeletion);
    context.callAsync(this::scan, this::onScan, 0, scanIntervalMs);
  }

  /** The listing and the rechecks; runs on the coordinator's I/O pool, touches no state. */
  private Scan scan() throws IOException {
    List<String> candidates = toRecheck;
    if (!root.getFileSystem().exists(root)) {
      throw new IOException("the watched folder " + root + " does not exist (unmounted?)");
    }
    Map<String, FolderWatch.FileVersion> listing = new LinkedHashMap<>();
    for (FileSourceSplit file : lister.enumerateSplits(new Path[] {root}, 1)) {
      listing.put(
          file.path().toString(),
          new FolderWatch.FileVersion(file.fileModificationTime(), file.fileSize()));
    }
    List<String> stillAbsent = new ArrayList<>();
    List<String> present = new ArrayList<>();
    for (String path : candidates) {
      Path p = new Path(path);
      (p.getFileSystem().exists(p) ? present : stillAbsent).add(path);
    }
    return new Scan(listing, stillAbsent, present, System.currentTimeMillis());
  }

  private record Scan(
      Map<String, FolderWatch.FileVersion> listing,
      List<String> stillAbsent,
      List<String> present,
      long atMs) {}

  private void onScan(Scan scan, Throwable error) {
    if (error != null) {
      LOG.warn("Listing {} failed; nothing changes until a listing succeeds", root, error);
      return;
    }
    int before = pendingCount();
    for (FolderWatch.Change change : watch.applyListing(scan.listing(), scan.atMs())) {
      Path path = new Path(change.path());
      if (change.kind() == FolderWatch.Kind.MODIFIED) {
        enqueue(marker(ImageFile.Lifecycle.REPLACED, path, change.version()));
      }
      enqueue(
          new WatchSplit(
              nextId(),
              ImageFile.Lifecycle.CONTENT,
              path,
              change.version().mtimeMs(),
              change.version().sizeBytes(),
              null));
    }
    for (String path : scan.present()) {
      watch.confirmPresent(path);
    }
    int deleted = 0;
    for (String path : scan.stillAbsent()) {
      FolderWatch.Change change = watch.confirmAbsent(path, scan.atMs());
      if (change != null) {
        enqueue(marker(ImageFile.Lifecycle.DELETED, new Path(path), change.version()));
        deleted++;
      }
    }
    // Checked during the next scan: those whose delay runs out by then.
    toRecheck = List.copyOf(watch.deletionCandidates(scan.atMs() + scanIntervalMs));
    if (pendingCount() > before) {
      LOG.info(
          "Folder {}: {} new splits ({} deletions), {} files tracked",
          root,
          pendingCount() - before,
          deleted,
          watch.trackedFiles());
    }
    assignPending();
  }

  private WatchSplit marker(ImageFile.Lifecycle lifecycle, Path path, FolderWatch.FileVersion v) {
    return new WatchSplit(nextId(), lifecycle, path, v.mtimeMs(), v.sizeBytes(), null);
  }

  private String nextId() {
    return Long.toString(nextSplitId++);
  }

  private void enqueue(WatchSplit split) {
    queues.get(owner(split)).addLast(split);
  }

  /** The reader that handles every split of this path. */
  private int owner(WatchSplit split) {
    return Math.floorMod(split.path().toString().hashCode(), queues.size());
  }

  private int pendingCount() {
    return queues.stream().mapToInt(ArrayDeque::size).sum();
  }

  @Override
  public void handleSplitRequest(int subtaskId, String requesterHostname) {
    awaiting.add(subtaskId);
    assignPending();
  }

  /** One split per request, like Flink's own file enumerators: a reader asks when it is done. */
  private void assignPending() {
    for (Iterator<Integer> it = awaiting.iterator(); it.hasNext(); ) {
      int subtask = it.next();
      if (!context.registeredReaders().containsKey(subtask)) {
        it.remove();
        continue;
      }
      WatchSplit next = subtask < queues.size() ? queues.get(subtask).pollFirst() : null;
      if (next != null) {
        context.assignSplit(next, subtask);
        it.remove();
      }
    }
  }

  @Override
  public void addSplitsBack(List<WatchSplit> splits, int subtaskId) {
    // Splits of a failed reader since the last checkpoint: they go first, in their old order.
    for (int i = splits.size() - 1; i >= 0; i--) {
      queues.get(owner(splits.get(i))).addFirst(splits.get(i));
    }
  }

  @Override
  public void addReader(int subtaskId) {
    // Readers ask for splits themselves.
  }

  @Override
  public WatchState snapshotState(long checkpointId) {
    List<WatchSplit> pending = new ArrayList<>(pendingCount());
    queues.forEach(pending::addAll);
    return new WatchState(
        Map.copyOf(watch.known()), Map.copyOf(watch.missingSince()), pending, nextSplitId);
  }

  @Override
  public void close() {}
}
