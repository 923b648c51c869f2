package dev.imgsearch.job;

import dev.imgsearch.core.embed.ModelInfo;
import dev.imgsearch.core.store.ImageRecord;
import dev.imgsearch.job.config.IngestJobConfig;
import dev.imgsearch.job.decode.DecodeFunction;
import dev.imgsearch.job.decode.PreprocessedImage;
import dev.imgsearch.job.decode.Rejection;
import dev.imgsearch.job.decode.SettleRetryFunction;
import dev.imgsearch.job.inference.BatchingEmbedFunction;
import dev.imgsearch.job.sink.ProgressCounter;
import dev.imgsearch.job.sink.RowChange;
import dev.imgsearch.job.source.ImageFile;
import java.util.concurrent.TimeUnit;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.api.connector.sink2.Sink;
import org.apache.flink.api.connector.source.Source;
import org.apache.flink.streaming.api.datastream.AsyncDataStream;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.datastream.SingleOutputStreamOperator;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;

/**
 * The ingestion pipeline: folder source → decode + preprocess (parallel, chained to the source) →
 * micro-batched embedding (async, on the embedder's thread) → Milvus upsert. In watch mode the
 * source also emits a marker for each changed or deleted file, which goes straight to the sink as a
 * delete (see {@code FolderWatchSource}). Rejected files go to the dead-letter sink. Source and
 * sinks are injected, so tests can swap them.
 */
public final class IngestJob {
  private final IngestJobConfig cfg;
  private final ModelInfo model;
  private final Source<ImageFile, ?, ?> source;
  private final Sink<RowChange> sink;
  private final Sink<Rejection> deadLetters;

  /**
   * @param model the encoder as probed at submission: its preprocessing and file hash
   */
  public IngestJob(
      IngestJobConfig cfg,
      ModelInfo model,
      Source<ImageFile, ?, ?> source,
      Sink<RowChange> sink,
      Sink<Rejection> deadLetters) {
    this.cfg = cfg;
    this.model = model;
    this.source = source;
    this.sink = sink;
    this.deadLetters = deadLetters;
  }

  public void build(StreamExecutionEnvironment env) {
    if (!cfg.checkpointInterval().isZero()) {
      env.enableCheckpointing(cfg.checkpointInterval().toMillis());
    }

    DataStream<ImageFile> files =
        env.fromSource(source, WatermarkStrategy.noWatermarks(), "files in " + cfg.source())
            .setParallelism(cfg.parallelism());

    SingleOutputStreamOperator<PreprocessedImage> decoded =
        files
            .process(new DecodeFunction(cfg.decoder(), model.preprocess(), cfg.settleTime()))
            .name("decode + preprocess")
            .uid("decode")
            .setParallelism(cfg.parallelism());

    SingleOutputStreamOperator<PreprocessedImage> settled =
        decoded
            .getSideOutput(JobTags.UNSETTLED)
            .keyBy(f -> f.path)
            .process(
                new SettleRetryFunction(
                    cfg.decoder(), model.preprocess(), cfg.settleTime(), cfg.maxFileBytes()))
            .name("re-read files still being written")
            .uid("settle")
            .setParallelism(cfg.parallelism());

    DataStream<ImageRecord> embedded =
        AsyncDataStream.unorderedWait(
                decoded.union(settled),
                new BatchingEmbedFunction(
                    cfg.model(), model.sha256(), cfg.batchSize(), cfg.maxBatchWait()),
                cfg.asyncTimeout().toMillis(),
                TimeUnit.MILLISECONDS,
                cfg.asyncCapacity())
            .name("embed (ONNX Runtime, " + cfg.batchSize() + " images at once)")
            .uid("embed")
            .setParallelism(cfg.embedParallelism());

    DataStream<RowChange> upserts =
        embedded
            .map(new ProgressCounter())
            .name("count")
            .uid("count")
            .setParallelism(cfg.embedParallelism())
            .map(RowChange::upsert)
            .returns(RowChange.class)
            .name("to row changes")
            .uid("upserts")
            .setParallelism(cfg.embedParallelism());
    // Watch mode's lifecycle markers skip decoding and embedding. Keying by path puts every change
    // of a file on one sink writer, in order; the writer drops rows of a removed version that
    // arrive after the removal (see MilvusWriter). The shuffle also keeps upserts, which block
    // their thread, off the inference thread.
    DataStream<RowChange> removals =
        decoded
            .getSideOutput(JobTags.LIFECYCLE)
            .map(RowChange::of)
            .returns(RowChange.class)
            .name("to row removals")
            .uid("removals")
            .setParallelism(cfg.parallelism());

    upserts
        .union(removals)
        .keyBy(RowChange::path)
        .sinkTo(sink)
        .name("upsert into Milvus '" + cfg.milvus().collection() + "'")
        .uid("milvus-sink")
        .setParallelism(cfg.embedParallelism());

    decoded
        .getSideOutput(JobTags.REJECTED)
        .union(settled.getSideOutput(JobTags.REJECTED))
        .sinkTo(deadLetters)
        .name("dead letters")
        .uid("dead-letters")
        .setParallelism(1);
  }
}
