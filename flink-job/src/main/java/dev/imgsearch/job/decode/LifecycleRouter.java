package dev.imgsearch.job.decode;

import dev.imgsearch.job.source.ImageFile;
import org.apache.flink.streaming.api.functions.ProcessFunction;
import org.apache.flink.util.Collector;

/**
 * Separates the watch source's lifecycle markers (a file changed or was deleted) from content:
 * markers go to {@link SideOutputs#LIFECYCLE}, on to the sink as deletes, without being decoded or
 * embedded; content goes on to {@link DecodeFunction}. Chained to the source: nothing is copied.
 */
public class LifecycleRouter extends ProcessFunction<ImageFile, ImageFile> {
  private static final long serialVersionUID = 1L;

  @Override
  public void processElement(ImageFile file, Context ctx, Collector<ImageFile> out) {
    if (file.lifecycle == ImageFile.Lifecycle.CONTENT) {
      out.collect(file);
    } else {
      ctx.output(SideOutputs.LIFECYCLE, file);
    }
  }
}
