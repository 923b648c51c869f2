package dev.imgsearch.job.inference;

import static org.assertj.core.api.Assertions.assertThat;

import dev.imgsearch.core.config.Device;
import dev.imgsearch.core.config.ModelConfig;
import dev.imgsearch.core.image.DecoderOptions;
import dev.imgsearch.core.image.ImageDecoder;
import dev.imgsearch.core.preprocess.PreprocessSpec;
import dev.imgsearch.core.preprocess.TorchvisionPreprocessor;
import dev.imgsearch.core.store.ImageIds;
import dev.imgsearch.core.store.ImageRecord;
import dev.imgsearch.core.testing.TestPhotos;
import dev.imgsearch.core.testing.TestRows;
import dev.imgsearch.job.config.IngestJobConfig;
import dev.imgsearch.job.decode.PreprocessedImage;
import java.time.Duration;
import java.util.List;
import org.apache.flink.api.common.serialization.SerializerConfigImpl;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.streaming.api.datastream.AsyncDataStream;
import org.apache.flink.streaming.api.operators.async.AsyncWaitOperatorFactory;
import org.apache.flink.streaming.util.OneInputStreamOperatorTestHarness;
import org.junit.jupiter.api.Test;

/**
 * The embedding operator as the job runs it, {@code unorderedWait} around {@link
 * BatchingEmbedFunction}, in Flink's operator test harness with the tiny encoder: the operator's
 * timeouts follow the processing time the test sets.
 */
class BatchingEmbedFunctionTest {

  private static final long TIMEOUT_MS = 1_000;

  private static OneInputStreamOperatorTestHarness<PreprocessedImage, ImageRecord> harness(
      int batchSize, Duration maxBatchWait) throws Exception {
    ModelConfig model =
        ModelConfig.of(TestPhotos.tinyModel()).withDevice(Device.CPU).withIntraOpThreads(1);
    BatchingEmbedFunction function =
        new BatchingEmbedFunction(
            model, null, new IngestJobConfig.Inference(batchSize, maxBatchWait, Duration.ZERO));
    var harness =
        new OneInputStreamOperatorTestHarness<>(
            new AsyncWaitOperatorFactory<>(
                function, TIMEOUT_MS, 16, AsyncDataStream.OutputMode.UNORDERED),
            TypeInformation.of(PreprocessedImage.class)
                .createSerializer(new SerializerConfigImpl()));
    harness.open();
    return harness;
  }

  /** A real photo, decoded and preprocessed as the decode operator does it. */
  private static PreprocessedImage photo(String name) throws Exception {
    TestPhotos.Photo photo = TestPhotos.named(name);
    var decoded = new ImageDecoder(DecoderOptions.defaults()).decode(photo.bytes());
    PreprocessedImage image = new PreprocessedImage();
    image.path = photo.path().toAbsolutePath().normalize().toString();
    image.pixels = new TorchvisionPreprocessor(PreprocessSpec.imagenet()).window(decoded);
    image.contentSha256 = TestRows.sha256Of(name.hashCode());
    image.sizeBytes = photo.bytes().length;
    image.width = decoded.sourceWidth();
    image.height = decoded.sourceHeight();
    return image;
  }

  @Test
  void everyImageBecomesOneRowWithItsIdAndMetadata() throws Exception {
    try (var harness = harness(8, Duration.ofMillis(20))) {
      List<String> names = List.of("coffee.jpg", "chelsea.png", "astronaut.jpg");
      for (String name : names) {
        harness.processElement(photo(name), 0);
      }
      harness.endInput(); // waits, on the mailbox, for every image in flight

      List<ImageRecord> rows = harness.extractOutputValues();
      assertThat(rows).hasSize(3);
      for (ImageRecord row : rows) {
        assertThat(row.id()).isEqualTo(ImageIds.ofNormalized(row.filepath(), -1));
        assertThat(row.vector()).hasSize(32);
        assertThat(row.model()).startsWith("tiny-encoder-seed0@");
      }
      assertThat(rows).extracting(ImageRecord::filepath).allMatch(p -> p.endsWith("g"));
    }
  }

  @Test
  void anImageThatTimesOutIsQueuedAgainAndEmbeddedOnce() throws Exception {
    // A batch of 2 that never fills and a batch wait far beyond the test: only the operator's
    // timeout, by the test's clock, moves the lone image on.
    try (var harness = harness(2, Duration.ofMinutes(10))) {
      harness.processElement(photo("coffee.jpg"), 0);
      assertThat(harness.extractOutputValues()).isEmpty();

      harness.setProcessingTime(TIMEOUT_MS + 1); // the timeout re-queues it: the batch is full
      harness.endInput();

      assertThat(harness.extractOutputValues())
          .singleElement()
          .satisfies(row -> assertThat(row.filepath()).endsWith("coffee.jpg"));
      assertThat(harness.getEnvironment().getActualExternalFailureCause()).isEmpty();
    }
  }

  @Test
  void aBatchThatFailsFailsTheTaskWithTheReason() throws Exception {
    try (var harness = harness(1, Duration.ofMillis(20))) {
      harness.getEnvironment().setExpectedExternalFailureCause(Exception.class);
      PreprocessedImage broken = photo("coffee.jpg");
      broken.pixels = new byte[10]; // not a 224x224 window: a bug upstream, never a bad file
      harness.processElement(broken, 0);
      harness.endInput();

      assertThat(harness.extractOutputValues()).isEmpty();
      assertThat(harness.getEnvironment().getActualExternalFailureCause())
          .hasValueSatisfying(
              cause ->
                  assertThat(cause)
                      .rootCause()
                      .hasMessageContaining("input of 10 bytes given, the model takes"));
    }
  }
}
