package dev.imgsearch.core.bench;

import dev.imgsearch.core.preprocess.PreprocessSpec;
import dev.imgsearch.core.preprocess.TorchvisionPreprocessor;
import dev.imgsearch.core.video.VideoFrame;
import dev.imgsearch.core.video.VideoFrameSampler;
import dev.imgsearch.core.video.VideoSampling;
import java.nio.file.Path;

/**
 * Video throughput on one thread: FFmpeg decodes every frame (sampling needs them all), and the
 * sampled ones are converted and preprocessed for the encoder (ImageNet 224x224).
 *
 * <p>Usage: {@code VideoSampleBench VIDEO [rounds]}. For each sampling interval it prints decoded
 * frames/s, sampled frames/s and seconds of video per second; the best of the rounds counts, as the
 * machine is noisy.
 */
public final class VideoSampleBench {

  public static void main(String[] args) throws Exception {
    Path video = Path.of(args[0]);
    int rounds = args.length > 1 ? Integer.parseInt(args[1]) : 3;
    TorchvisionPreprocessor pre = new TorchvisionPreprocessor(PreprocessSpec.imagenet());
    float[] out = new float[pre.spec().tensorSize()];
    run(video, VideoSampling.defaults(), pre, out); // warm-up: natives, JIT
    // 1 ms: every frame is sampled and preprocessed; 1000 ms: the job's default.
    for (long interval : new long[] {1, 1000}) {
      double best = 0;
      Result kept = null;
      for (int r = 0; r < rounds; r++) {
        Result result = run(video, VideoSampling.defaults().withIntervalMs(interval), pre, out);
        if (result.decoded / result.seconds > best) {
          best = result.decoded / result.seconds;
          kept = result;
        }
      }
      System.out.printf(
          "interval %4d ms: %d frames decoded, %d sampled+preprocessed in %.3f s:"
              + " %.1f decoded frames/s, %.1f sampled frames/s, %.1f s of video per s%n",
          interval,
          kept.decoded,
          kept.sampled,
          kept.seconds,
          kept.decoded / kept.seconds,
          kept.sampled / kept.seconds,
          kept.videoMs / 1000.0 / kept.seconds);
    }
  }

  record Result(int decoded, int sampled, long videoMs, double seconds) {}

  private static Result run(
      Path video, VideoSampling sampling, TorchvisionPreprocessor pre, float[] out)
      throws Exception {
    long start = System.nanoTime();
    try (VideoFrameSampler sampler = VideoFrameSampler.open(video, sampling)) {
      for (VideoFrame f = sampler.next(); f != null; f = sampler.next()) {
        pre.preprocess(f.image(), out, 0);
      }
      return new Result(
          sampler.framesDecoded(),
          sampler.framesEmitted(),
          sampler.lastDecodedMs(),
          (System.nanoTime() - start) / 1e9);
    }
  }
}
