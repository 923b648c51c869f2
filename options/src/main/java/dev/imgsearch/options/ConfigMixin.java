package dev.imgsearch.options;

import java.util.List;
import java.util.Map;
import org.apache.flink.configuration.Configuration;
import picocli.CommandLine.Command;

/**
 * A picocli mixin whose options are {@link Flag}s: each flag the user gives is written into {@link
 * #values()} as its option's value, so that a command reads flags, {@code -D} options and config
 * files alike through {@code ReadableConfig}. {@link FlagBinder#bind} adds the flags to the command
 * that mixes this in; a subclass says which flags it has.
 */
@Command // picocli takes a class as a mixin only when it carries a picocli annotation
public abstract class ConfigMixin {

  private final Configuration values = new Configuration();

  /** The flags of this mixin, in the order --help lists them. */
  protected abstract List<Flag> flags();

  /** What the flags set, by option key. */
  public Configuration values() {
    return values;
  }

  /** The environment the flags' fallbacks read; tests replace it. */
  protected Map<String, String> environment() {
    return System.getenv();
  }
}
