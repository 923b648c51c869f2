package dev.imgsearch.job.source;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.function.BiConsumer;
import org.apache.flink.api.connector.source.ReaderInfo;
import org.apache.flink.api.connector.source.SourceEvent;
import org.apache.flink.api.connector.source.SplitEnumeratorContext;
import org.apache.flink.api.connector.source.SplitsAssignment;
import org.apache.flink.core.fs.Path;
import org.apache.flink.metrics.groups.SplitEnumeratorMetricGroup;
import org.apache.flink.metrics.groups.UnregisteredMetricsGroup;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The enumerator over a real folder, its scans run by hand: which splits it makes, in which order,
 * for which reader, and what survives a snapshot.
 */
class WatchEnumeratorTest {

  private static final int READERS = 3;

  @TempDir java.nio.file.Path dir;

  private final ManualContext context = new ManualContext();

  @Test
  void everyEventOfAPathGoesToOneReaderInOrder() throws Exception {
    WatchEnumerator enumerator = enumerator(new FolderWatch(0));
    enumerator.start();
    java.nio.file.Path a = Files.writeString(dir.resolve("a.jpg"), "one");
    for (int i = 0; i < 20; i++) {
      Files.writeString(dir.resolve("other-" + i + ".jpg"), "x");
    }
    context.scan();
    Files.writeString(a, "two, longer"); // changed: new size
    context.scan();
    Files.delete(a);
    context.scan(); // missing: a recheck is due at the next scan
    context.scan(); // rechecked and still gone: deleted

    for (int r = 0; r < READERS; r++) {
      drain(enumerator, r);
    }
    List<ImageFile.Lifecycle> ofA = new ArrayList<>();
    Set<Integer> readersOfA = new java.util.HashSet<>();
    context.assigned.forEach(
        (reader, splits) ->
            splits.stream()
                .filter(s -> s.path().getName().equals("a.jpg"))
                .forEach(
                    s -> {
                      ofA.add(s.lifecycle());
                      readersOfA.add(reader);
                    }));
    assertThat(ofA)
        .containsExactly(
            ImageFile.Lifecycle.CONTENT,
            ImageFile.Lifecycle.REPLACED,
            ImageFile.Lifecycle.CONTENT,
            ImageFile.Lifecycle.DELETED);
    assertThat(readersOfA).hasSize(1);
    assertThat(context.assigned.values().stream().mapToInt(List::size).sum()).isEqualTo(24);
    assertThat(context.assigned.keySet()).as("the files are spread over the readers").hasSize(3);
  }

  @Test
  void aSnapshotKeepsPendingSplitsAndTrackedFilesAndUnchangedFilesAreNotReadAgain()
      throws Exception {
    WatchEnumerator first = enumerator(new FolderWatch(0));
    first.start();
    Files.writeString(dir.resolve("a.jpg"), "a");
    Files.writeString(dir.resolve("b.jpg"), "b");
    context.scan();
    WatchState state = first.snapshotState(1);
    state =
        WatchStateSerializer.INSTANCE.deserialize(
            WatchStateSerializer.INSTANCE.getVersion(),
            WatchStateSerializer.INSTANCE.serialize(state));
    assertThat(state.pending()).hasSize(2);
    assertThat(state.known()).hasSize(2);

    ManualContext after = new ManualContext();
    WatchEnumerator restored =
        new WatchEnumerator(
            after,
            Path.fromLocalFile(dir.toFile()),
            new ImageFileEnumerator(Set.of("jpg")),
            1_000,
            new FolderWatch(0, new HashMap<>(state.known()), new HashMap<>(state.missingSince())),
            state.pending(),
            state.nextSplitId());
    restored.start();
    after.scan(); // nothing changed on disk: no new splits
    for (int r = 0; r < READERS; r++) {
      restored.handleSplitRequest(r, "localhost");
      restored.handleSplitRequest(r, "localhost");
    }
    List<String> ids = new ArrayList<>();
    after.assigned.values().forEach(splits -> splits.forEach(s -> ids.add(s.splitId())));
    assertThat(ids).containsExactlyInAnyOrder("0", "1");
  }

  @Test
  void aFailedListingChangesNothing() throws Exception {
    WatchEnumerator enumerator = enumerator(new FolderWatch(0));
    enumerator.start();
    Files.writeString(dir.resolve("a.jpg"), "a");
    context.scan();
    java.nio.file.Path away = Files.move(dir, dir.resolveSibling(dir.getFileName() + "-away"));
    try {
      context.scan();
      context.scan();
      context.scan();
      assertThat(enumerator.snapshotState(1).known()).hasSize(1);
      assertThat(enumerator.snapshotState(1).missingSince()).isEmpty();
    } finally {
      Files.move(away, dir);
    }
  }

  private WatchEnumerator enumerator(FolderWatch watch) {
    return new WatchEnumerator(
        context,
        Path.fromLocalFile(dir.toFile()),
        new ImageFileEnumerator(Set.of("jpg")),
        1_000,
        watch,
        List.of(),
        0);
  }

  private void drain(WatchEnumerator enumerator, int reader) {
    int before;
    do {
      before = context.assigned.getOrDefault(reader, List.of()).size();
      enumerator.handleSplitRequest(reader, "localhost");
    } while (context.assigned.getOrDefault(reader, List.of()).size() > before);
  }

  /** Runs the periodic scan only when the test says so, on the test's thread. */
  private static final class ManualContext implements SplitEnumeratorContext<WatchSplit> {
    final Map<Integer, List<WatchSplit>> assigned = new HashMap<>();
    private Callable<Object> periodic;
    private BiConsumer<Object, Throwable> handler;

    @Override
    public SplitEnumeratorMetricGroup metricGroup() {
      return UnregisteredMetricsGroup.createSplitEnumeratorMetricGroup();
    }

    @Override
    public void sendEventToSourceReader(int subtaskId, SourceEvent event) {}

    @Override
    public int currentParallelism() {
      return READERS;
    }

    @Override
    public Map<Integer, ReaderInfo> registeredReaders() {
      Map<Integer, ReaderInfo> readers = new HashMap<>();
      for (int i = 0; i < READERS; i++) {
        readers.put(i, new ReaderInfo(i, "localhost"));
      }
      return readers;
    }

    @Override
    public void assignSplits(SplitsAssignment<WatchSplit> assignment) {
      assignment
          .assignment()
          .forEach(
              (r, splits) -> assigned.computeIfAbsent(r, k -> new ArrayList<>()).addAll(splits));
    }

    @Override
    public void signalNoMoreSplits(int subtask) {}

    @Override
    public <T> void callAsync(Callable<T> callable, BiConsumer<T, Throwable> handler) {
      throw new UnsupportedOperationException("the enumerator only scans periodically");
    }

    @Override
    @SuppressWarnings("unchecked")
    public <T> void callAsync(
        Callable<T> callable, BiConsumer<T, Throwable> handler, long initialDelay, long period) {
      this.periodic = (Callable<Object>) callable;
      this.handler = (BiConsumer<Object, Throwable>) handler;
    }

    void scan() {
      Object result = null;
      Throwable error = null;
      try {
        result = periodic.call();
      } catch (Throwable t) {
        error = t;
      }
      handler.accept(result, error);
    }

    @Override
    public void runInCoordinatorThread(Runnable runnable) {
      runnable.run();
    }
  }
}
