package dev.imgsearch.job;

import dev.imgsearch.core.embed.ModelInfo;
import dev.imgsearch.core.store.CollectionSpec;
import dev.imgsearch.core.store.ImageRecord;
import dev.imgsearch.job.config.IngestJobConfig;
import dev.imgsearch.job.deadletter.DeadLetterSink;
import dev.imgsearch.job.decode.DecodeFunction;
import dev.imgsearch.job.decode.LifecycleRouter;
import dev.imgsearch.job.decode.PreprocessedImage;
import dev.imgsearch.job.decode.Rejection;
import dev.imgsearch.job.decode.SettleRetryFunction;
import dev.imgsearch.job.decode.SideOutputs;
import dev.imgsearch.job.inference.BatchingEmbedFunction;
import dev.imgsearch.job.sink.MilvusSink;
import dev.imgsearch.job.sink.ProgressCounter;
import dev.imgsearch.job.sink.RowChange;
import dev.imgsearch.job.source.ImageFile;
import dev.imgsearch.job.source.ImageSources;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.api.connector.sink2.Sink;
import org.apache.flink.api.connector.source.Source;
import org.apache.flink.streaming.api.datastream.AsyncDataStream;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.datastream.SingleOutputStreamOperator;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;

/**
 * The ingestion pipeline: folder source → route lifecycle markers → decode + preprocess (parallel,
 * chained to the source) → micro-batched embedding (async, on the embedder's thread) → Milvus
 * upsert. The watch source's markers of changed and deleted files go straight to the sink as
 * deletes; rejected files go to the dead-letter sink. Source and sinks are injected, so tests can
 * swap them.
 *
 * <p>Parallelism is Flink's: every operator runs at the environment's default ({@code flink run
 * -p}, {@code parallelism.default}) unless {@code imgsearch.decode.parallelism} or {@code
 * imgsearch.inference.parallelism} sets its stage's.
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

  /** The job over the configured folder, after the checks of {@link JobPreflight}. */
  public static IngestJob plan(IngestJobConfig cfg) {
    return plan(cfg, ImageSources.folder(cfg.source(), cfg.video()));
  }

  /**
   * The job reading {@code source}, after the checks of {@link JobPreflight}: the copy of the model
   * that runs is chosen, it loads, and the collection exists with its dimension.
   */
  public static IngestJob plan(IngestJobConfig planned, Source<ImageFile, ?, ?> source) {
    JobPreflight preflight = new JobPreflight(planned);
    IngestJobConfig cfg = planned.withModel(preflight.chooseModel());
    ModelInfo model = preflight.probe(cfg.model());
    CollectionSpec spec = preflight.prepareCollection(model);
    MilvusSink sink =
        MilvusSink.builder()
            .setConnection(cfg.milvus())
            .setCollection(spec)
            .setMaxBatchRows(cfg.sink().batchRows())
            .setMaxBufferTime(cfg.sink().flushInterval())
            .setMaxInFlightRequests(cfg.sink().maxInFlight())
            .build();
    return new IngestJob(cfg, model, source, sink, new DeadLetterSink(cfg.deadLetterDir()));
  }

  /** "imgsearch ingest /photos (watch) into image_search". */
  public String name() {
    return "imgsearch ingest "
        + cfg.source().path()
        + " ("
        + cfg.mode().name().toLowerCase(Locale.ROOT)
        + ") into "
        + cfg.milvus().collection();
  }

  public void build(StreamExecutionEnvironment env) {
    int decoders = cfg.parallelism().decode();
    int embedders = cfg.parallelism().inference();

    DataStream<ImageFile> files =
        parallelism(
            // A short name: Flink truncates chain names over 80 characters in its metrics (with a
            // warning on every start); the folder goes to the description the web UI shows.
            env.fromSource(source, WatermarkStrategy.noWatermarks(), "files")
                .setDescription("files in " + cfg.source().path())
                .uid("files"),
            decoders);
    SingleOutputStreamOperator<ImageFile> contents =
        parallelism(
            files.process(new LifecycleRouter()).name("route file changes").uid("route"), decoders);

    SingleOutputStreamOperator<PreprocessedImage> decoded =
        parallelism(
            contents
                .process(
                    new DecodeFunction(
                        cfg.decoder(), model.preprocess(), cfg.source().settleTime()))
                .name("decode + preprocess")
                .uid("decode"),
            decoders);

    SingleOutputStreamOperator<PreprocessedImage> settled =
        parallelism(
            decoded
                .getSideOutput(SideOutputs.UNSETTLED)
                .keyBy(f -> f.path)
                .process(
                    new SettleRetryFunction(
                        cfg.decoder(),
                        model.preprocess(),
                        cfg.source().settleTime(),
                        cfg.source().maxFileBytes()))
                .name("re-read files still being written")
                .uid("settle"),
            decoders);

    SingleOutputStreamOperator<ImageRecord> embedded =
        parallelism(
            AsyncDataStream.unorderedWait(
                    decoded.union(settled),
                    new BatchingEmbedFunction(cfg.model(), model.sha256(), cfg.inference()),
                    cfg.inference().asyncTimeout().toMillis(),
                    TimeUnit.MILLISECONDS,
                    cfg.inference().asyncCapacity())
                .name("embed (ONNX Runtime, " + cfg.inference().batchSize() + " images at once)")
                .uid("embed"),
            embedders);

    DataStream<RowChange> upserts =
        parallelism(
            parallelism(embedded.map(new ProgressCounter()).name("count").uid("count"), embedders)
                .map(RowChange::upsert)
                .returns(RowChange.class)
                .name("to row changes")
                .uid("upserts"),
            embedders);
    // Keying by path puts every change of a file on one sink writer, in order; the writer drops
    // rows of a removed version that arrive after the removal (see MilvusWriter). The shuffle also
    // keeps Milvus calls off the inference thread.
    DataStream<RowChange> removals =
        parallelism(
            contents
                .getSideOutput(SideOutputs.LIFECYCLE)
                .map(RowChange::of)
                .returns(RowChange.class)
                .name("to row removals")
                .uid("removals"),
            decoders);

    upserts
        .union(removals)
        .keyBy(RowChange::path)
        .sinkTo(sink)
        .name("upsert into Milvus '" + cfg.milvus().collection() + "'")
        .uid("milvus-sink");

    decoded
        .getSideOutput(SideOutputs.REJECTED)
        .union(settled.getSideOutput(SideOutputs.REJECTED))
        .keyBy(r -> r.path) // every rejection of a file on one writer, which writes it once
        .sinkTo(deadLetters)
        .name("dead letters")
        .uid("dead-letters");
  }

  /** Sets the operator's parallelism when the job's option set one; else Flink's default holds. */
  private static <T> SingleOutputStreamOperator<T> parallelism(
      SingleOutputStreamOperator<T> operator, int parallelism) {
    return parallelism > 0 ? operator.setParallelism(parallelism) : operator;
  }
}
