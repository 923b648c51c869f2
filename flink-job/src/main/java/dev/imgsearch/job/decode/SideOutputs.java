package dev.imgsearch.job.decode;

import dev.imgsearch.job.source.ImageFile;
import org.apache.flink.util.OutputTag;

/** Side outputs of the pipeline. */
public final class SideOutputs {

  /** Files that will not be embedded, with their reason: they go to the dead-letter output. */
  public static final OutputTag<Rejection> REJECTED = new OutputTag<>("rejected") {};

  /**
   * Files that look truncated but were modified moments ago: probably still being copied. They are
   * read again once they have settled.
   */
  public static final OutputTag<ImageFile> UNSETTLED = new OutputTag<>("unsettled") {};

  /**
   * Lifecycle markers of the watch source (a file changed or was deleted): they skip decoding and
   * embedding and go straight to the sink, which removes the rows they name.
   */
  public static final OutputTag<ImageFile> LIFECYCLE = new OutputTag<>("lifecycle") {};

  private SideOutputs() {}
}
