package dev.imgsearch.job.inference;

import dev.imgsearch.core.config.ModelConfig;
import dev.imgsearch.core.embed.ModelException;
import dev.imgsearch.core.embed.OnnxEmbedder;
import dev.imgsearch.core.embed.OrtRuntime;
import dev.imgsearch.core.store.ImageRecord;
import dev.imgsearch.job.config.IngestJobConfig;
import dev.imgsearch.job.decode.PreprocessedImage;
import dev.imgsearch.job.metrics.JobMetrics;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.Histogram;
import org.apache.flink.metrics.MetricGroup;
import org.apache.flink.runtime.metrics.DescriptiveStatisticsHistogram;
import org.apache.flink.streaming.api.functions.async.ResultFuture;
import org.apache.flink.streaming.api.functions.async.RichAsyncFunction;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Micro-batches preprocessed images into ONNX Runtime calls. Up to {@code batchSize} images are in
 * inference at once, split among the embedder's sessions: on a CPU two sessions run batches of half
 * that size side by side. Records that arrive within {@code maxBatchWait} are joined into a batch;
 * each record's future is completed on its own. Inference runs on the embedder's own threads, never
 * on the task thread, so decoding and the operator's mailbox keep moving while batches run.
 *
 * <p>A timed-out record is re-queued rather than failed: one slow batch must not fail the job. If
 * the first attempt completes after all, the operator ignores the second completion.
 */
public class BatchingEmbedFunction extends RichAsyncFunction<PreprocessedImage, ImageRecord> {
  private static final long serialVersionUID = 1L;
  private static final Logger LOG = LoggerFactory.getLogger(BatchingEmbedFunction.class);

  private final ModelConfig modelConfig;
  private final String expectedModelSha256;
  private final IngestJobConfig.Inference settings;

  private transient OnnxEmbedder embedder;
  private transient ScheduledExecutorService timer;
  private transient MicroBatcher<Pending> batcher;
  private transient Counter embedded;
  private transient Counter timeouts;
  private transient Histogram batchSizes;
  private transient Histogram inferenceMs;
  private transient Counter batches;

  private record Pending(PreprocessedImage image, ResultFuture<ImageRecord> future) {}

  /**
   * @param expectedModelSha256 hash of the model file the job was planned with; a TaskManager whose
   *     file differs fails at start-up instead of mixing vectors of two models
   */
  public BatchingEmbedFunction(
      ModelConfig modelConfig, String expectedModelSha256, IngestJobConfig.Inference settings) {
    this.modelConfig = modelConfig;
    this.expectedModelSha256 = expectedModelSha256;
    this.settings = settings;
  }

  @Override
  public void open(OpenContext openContext) {
    embedder = OnnxEmbedder.open(modelConfig, settings.batchSize());
    if (expectedModelSha256 != null && !expectedModelSha256.equals(embedder.model().sha256())) {
      embedder.close();
      throw new ModelException(
          "model file "
              + modelConfig.modelPath()
              + " on this TaskManager has sha256 "
              + embedder.model().sha256()
              + ", but the job was submitted with "
              + expectedModelSha256
              + "; put the same model file on every machine");
    }
    timer = Executors.newSingleThreadScheduledExecutor(OrtRuntime.threadFactory("batch-timer"));
    batcher =
        new MicroBatcher<>(
            embedder.batchSize(),
            embedder.sessions(),
            settings.maxBatchWait(),
            timer,
            this::runBatch);

    MetricGroup group = getRuntimeContext().getMetricGroup();
    embedded = group.counter(JobMetrics.IMAGES_EMBEDDED);
    batches = group.counter(JobMetrics.INFERENCE_BATCHES);
    timeouts = group.counter(JobMetrics.INFERENCE_TIMEOUTS);
    batchSizes = group.histogram(JobMetrics.BATCH_SIZE, new DescriptiveStatisticsHistogram(1000));
    inferenceMs =
        group.histogram(
            JobMetrics.INFERENCE_MS_PER_BATCH, new DescriptiveStatisticsHistogram(1000));
    group.gauge(JobMetrics.BATCHER_QUEUE_DEPTH, () -> batcher.pending());
    int sessions = embedder.sessions();
    group.gauge(JobMetrics.INFERENCE_SESSIONS, () -> sessions);
  }

  @Override
  public void asyncInvoke(PreprocessedImage image, ResultFuture<ImageRecord> future) {
    batcher.add(new Pending(image, future));
  }

  @Override
  public void timeout(PreprocessedImage image, ResultFuture<ImageRecord> future) {
    timeouts.inc();
    LOG.warn("Embedding {} timed out; queueing it again", image.path);
    batcher.add(new Pending(image, future));
  }

  /**
   * Called by the batcher, on the task thread, the timer thread or the inference thread; never
   * blocks on inference. The returned stage completes when the batch is done.
   */
  private CompletionStage<?> runBatch(List<Pending> batch) {
    List<byte[]> windows = new ArrayList<>(batch.size());
    for (Pending p : batch) {
      windows.add(p.image().pixels);
    }
    long start = System.nanoTime();
    CompletableFuture<float[][]> vectorsOf;
    try {
      vectorsOf = embedder.embedWindowsAsync(windows);
    } catch (RuntimeException e) {
      // A window of the wrong size: a bug upstream, not a bad file; it fails the job with it.
      vectorsOf = CompletableFuture.failedFuture(e);
    }
    return vectorsOf.whenComplete(
        (vectors, error) -> {
          if (error != null) {
            // The model itself failed, not one image: a systemic error that restarts the job.
            for (Pending p : batch) {
              p.future().completeExceptionally(error);
            }
            return;
          }
          inferenceMs.update((System.nanoTime() - start) / 1_000_000);
          batchSizes.update(batch.size());
          batches.inc();
          long now = System.currentTimeMillis();
          String model = embedder.model().id();
          int i = 0;
          try {
            for (; i < batch.size(); i++) {
              ImageRecord row = ImageRows.of(batch.get(i).image(), vectors[i], model, now);
              batch.get(i).future().complete(List.of(row));
            }
          } catch (RuntimeException e) {
            // Rows are validated upstream; anything left is a bug, so fail loudly.
            for (; i < batch.size(); i++) {
              batch.get(i).future().completeExceptionally(e);
            }
            return;
          }
          embedded.inc(batch.size());
        });
  }

  @Override
  public void close() {
    if (batches != null && batches.getCount() > 0) {
      LOG.info(
          "Embedded {} images in {} batches (average {} per batch, {} timeouts)",
          embedded.getCount(),
          batches.getCount(),
          String.format("%.1f", (double) embedded.getCount() / batches.getCount()),
          timeouts.getCount());
    }
    if (batcher != null) {
      batcher.close();
    }
    if (timer != null) {
      timer.shutdownNow();
    }
    if (embedder != null) {
      embedder.close();
    }
  }
}
