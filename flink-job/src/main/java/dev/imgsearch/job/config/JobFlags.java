package dev.imgsearch.job.config;

import dev.imgsearch.options.ConfigMixin;
import dev.imgsearch.options.Flag;
import java.util.List;

/** The job's flags ({@link IngestOptions#FLAGS}) as a picocli mixin. */
public class JobFlags extends ConfigMixin {

  @Override
  protected List<Flag> flags() {
    return IngestOptions.FLAGS;
  }
}
