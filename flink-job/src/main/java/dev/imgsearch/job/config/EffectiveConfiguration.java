package dev.imgsearch.job.config;

import dev.imgsearch.options.OptionText;
import java.util.LinkedHashMap;
import java.util.Map;
import org.apache.flink.configuration.CheckpointingOptions;
import org.apache.flink.configuration.ConfigOption;
import org.apache.flink.configuration.CoreOptions;
import org.apache.flink.configuration.ReadableConfig;

/**
 * The value of every job option as the job will use it (set, or its default), secrets masked: for
 * the one log line at start and for the web UI's job configuration page.
 */
public final class EffectiveConfiguration {

  private EffectiveConfiguration() {}

  /** Key to value as shown, in {@link IngestOptions#ALL} order, then Flink's own. */
  public static Map<String, String> of(ReadableConfig conf) {
    Map<String, String> shown = new LinkedHashMap<>();
    for (ConfigOption<?> option : IngestOptions.ALL) {
      shown.put(option.key(), OptionText.shown(option, conf.getOptional(option).orElse(null)));
      if (conf.getOptional(option).isEmpty() && option.hasDefaultValue()) {
        shown.put(option.key(), OptionText.shown(option, option.defaultValue()) + " (default)");
      }
    }
    show(shown, conf, CoreOptions.DEFAULT_PARALLELISM);
    show(shown, conf, CheckpointingOptions.CHECKPOINTING_INTERVAL);
    return shown;
  }

  /** One line: {@code key=value, key=value, ...}. */
  public static String format(Map<String, String> shown) {
    StringBuilder line = new StringBuilder();
    shown.forEach(
        (key, value) ->
            line.append(line.length() == 0 ? "" : ", ").append(key).append('=').append(value));
    return line.toString();
  }

  private static void show(Map<String, String> shown, ReadableConfig conf, ConfigOption<?> option) {
    shown.put(option.key(), OptionText.shown(option, conf.getOptional(option).orElse(null)));
  }
}
