package dev.imgsearch.job.faults;

import dev.imgsearch.job.testing.SessionCluster;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * Samples the TaskManager's memory once a second while a test runs: the process's peak RSS ({@code
 * VmHWM} in /proc, the kernel's own high-water mark, so nothing between samples is missed) and its
 * JVM heap in use (the {@code Status.JVM.Memory.Heap.Used} metric over REST, sampled). Follows the
 * TaskManager across a kill and restart: the peak is over every process seen.
 */
final class MemorySampler implements AutoCloseable {

  private final SessionCluster cluster;
  private final ScheduledExecutorService timer =
      Executors.newSingleThreadScheduledExecutor(
          r -> {
            Thread t = new Thread(r, "tm-memory-sampler");
            t.setDaemon(true);
            return t;
          });
  private volatile long peakRssKb;
  private volatile long lastRssKb;
  private volatile long peakHeapBytes;
  private volatile long heapMaxBytes;
  private volatile int samples;

  MemorySampler(SessionCluster cluster) {
    this.cluster = cluster;
    timer.scheduleWithFixedDelay(this::sample, 0, 1, TimeUnit.SECONDS);
  }

  private void sample() {
    try {
      long pid = cluster.taskManagerPid();
      if (pid > 0) {
        long hwm = procStatusKb(pid, "VmHWM:");
        long rss = procStatusKb(pid, "VmRSS:");
        if (hwm > peakRssKb) {
          peakRssKb = hwm;
        }
        if (rss > 0) {
          lastRssKb = rss;
        }
      }
      for (String tm : cluster.taskManagers()) {
        long used = cluster.taskManagerMetric(tm, "Status.JVM.Memory.Heap.Used");
        if (used > peakHeapBytes) {
          peakHeapBytes = used;
        }
        long max = cluster.taskManagerMetric(tm, "Status.JVM.Memory.Heap.Max");
        if (max > 0) {
          heapMaxBytes = max;
        }
      }
      samples++;
    } catch (Exception | AssertionError e) {
      // A TaskManager that was just killed, or REST busy: the next sample counts.
    }
  }

  long peakRssMb() {
    return peakRssKb / 1024;
  }

  long lastRssMb() {
    return lastRssKb / 1024;
  }

  long peakHeapMb() {
    return peakHeapBytes >> 20;
  }

  long heapMaxMb() {
    return heapMaxBytes >> 20;
  }

  String summary() {
    return String.format(
        "TaskManager peak RSS %d MB (VmHWM), RSS at the end %d MB, peak heap used %d MB of %d MB"
            + " max (%d samples, 1/s)",
        peakRssMb(), lastRssMb(), peakHeapMb(), heapMaxMb(), samples);
  }

  /** A value in kB from /proc/PID/status; 0 when the process is gone. */
  static long procStatusKb(long pid, String key) {
    try {
      for (String line : Files.readAllLines(Path.of("/proc", Long.toString(pid), "status"))) {
        if (line.startsWith(key)) {
          return Long.parseLong(line.replaceAll("[^0-9]", ""));
        }
      }
    } catch (IOException e) {
      // Gone.
    }
    return 0;
  }

  @Override
  public void close() {
    sample();
    timer.shutdownNow();
  }
}
