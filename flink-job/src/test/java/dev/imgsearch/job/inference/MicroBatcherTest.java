package dev.imgsearch.job.inference;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class MicroBatcherTest {
  private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor();
  private final List<List<Integer>> batches = Collections.synchronizedList(new ArrayList<>());
  private final List<CompletableFuture<Void>> running =
      Collections.synchronizedList(new ArrayList<>());

  /** A runner whose batches finish only when the test says so. */
  private CompletionStage<?> manual(List<Integer> batch) {
    batches.add(batch);
    CompletableFuture<Void> done = new CompletableFuture<>();
    running.add(done);
    return done;
  }

  private static CompletionStage<?> instant(List<List<Integer>> sink, List<Integer> batch) {
    sink.add(batch);
    return CompletableFuture.completedFuture(null);
  }

  @AfterEach
  void stop() {
    timer.shutdownNow();
  }

  @Test
  void aFullBatchGoesAtOnceWhenTheRunnerIsFree() {
    MicroBatcher<Integer> b = new MicroBatcher<>(3, 1, Duration.ofHours(1), timer, this::manual);
    for (int i = 0; i < 3; i++) {
      b.add(i);
    }
    assertThat(batches).containsExactly(List.of(0, 1, 2));
  }

  @Test
  void whileABatchRunsItemsAccumulateIntoFullBatches() {
    MicroBatcher<Integer> b = new MicroBatcher<>(8, 1, Duration.ofMillis(1), timer, this::manual);
    b.add(0);
    await(() -> running.size() == 1); // the lone item goes after its short wait
    for (int i = 1; i <= 20; i++) {
      b.add(i);
    }
    assertThat(batches).hasSize(1); // busy: nothing more is handed on
    running.get(0).complete(null);
    await(() -> running.size() == 2);
    assertThat(batches.get(1)).containsExactly(1, 2, 3, 4, 5, 6, 7, 8);
    running.get(1).complete(null);
    await(() -> running.size() == 3);
    assertThat(batches.get(2)).containsExactly(9, 10, 11, 12, 13, 14, 15, 16);
    running.get(2).complete(null);
    await(() -> running.size() == 4);
    assertThat(batches.get(3)).containsExactly(17, 18, 19, 20);
    assertThat(b.pending()).isZero();
  }

  @Test
  void aPartialBatchGoesAfterTheWait() {
    MicroBatcher<Integer> b =
        new MicroBatcher<>(10, 1, Duration.ofMillis(30), timer, batch -> instant(batches, batch));
    b.add(1);
    b.add(2);
    await(() -> batches.size() == 1);
    assertThat(batches).containsExactly(List.of(1, 2));
    assertThat(b.pending()).isZero();
  }

  @Test
  void withTwoInFlightASecondBatchRunsBesideTheFirstAndAThirdWaits() {
    MicroBatcher<Integer> b = new MicroBatcher<>(3, 2, Duration.ofHours(1), timer, this::manual);
    for (int i = 0; i < 9; i++) {
      b.add(i);
    }
    assertThat(batches).containsExactly(List.of(0, 1, 2), List.of(3, 4, 5));
    assertThat(b.pending()).isEqualTo(3);
    running.get(1).complete(null); // either one finishing frees a slot
    await(() -> batches.size() == 3);
    assertThat(batches.get(2)).containsExactly(6, 7, 8);
    assertThat(b.pending()).isZero();
  }

  @Test
  void withTwoInFlightTheRestOfAPartialBatchGoesToTheFreeSlotAfterTheWait() {
    MicroBatcher<Integer> b = new MicroBatcher<>(4, 2, Duration.ofMillis(500), timer, this::manual);
    for (int i = 0; i < 6; i++) {
      b.add(i);
    }
    assertThat(batches).containsExactly(List.of(0, 1, 2, 3));
    await(() -> batches.size() == 2); // no batch finished: the second slot takes the rest
    assertThat(batches.get(1)).containsExactly(4, 5);
    assertThat(b.pending()).isZero();
  }

  @ParameterizedTest(name = "{0} in flight")
  @ValueSource(ints = {1, 2})
  void everyItemIsHandedOnExactlyOnceUnderConcurrency(int inFlight) throws Exception {
    MicroBatcher<Integer> b =
        new MicroBatcher<>(
            8,
            inFlight,
            Duration.ofMillis(1),
            timer,
            batch -> CompletableFuture.runAsync(() -> batches.add(batch)));
    Thread[] threads = new Thread[4];
    for (int t = 0; t < threads.length; t++) {
      int base = t * 1000;
      threads[t] =
          new Thread(
              () -> {
                for (int i = 0; i < 1000; i++) {
                  b.add(base + i);
                }
              });
      threads[t].start();
    }
    for (Thread t : threads) {
      t.join();
    }
    await(() -> b.pending() == 0 && total() == 4000);
    List<Integer> all = new ArrayList<>();
    synchronized (batches) {
      batches.forEach(all::addAll);
      assertThat(batches).allSatisfy(batch -> assertThat(batch).hasSizeBetween(1, 8));
    }
    assertThat(all).hasSize(4000).doesNotHaveDuplicates();
  }

  private int total() {
    synchronized (batches) {
      return batches.stream().mapToInt(List::size).sum();
    }
  }

  private static void await(java.util.function.BooleanSupplier condition) {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("condition not met within 10 s");
      }
      Thread.onSpinWait();
    }
  }
}
