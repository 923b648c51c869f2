package dev.imgsearch.options;

import java.time.Duration;
import java.util.List;
import java.util.stream.Collectors;
import org.apache.flink.configuration.ConfigOption;
import org.apache.flink.configuration.GlobalConfiguration;
import org.apache.flink.configuration.description.BlockElement;
import org.apache.flink.configuration.description.TextElement;
import org.apache.flink.util.TimeUtils;

/** An option's description, default and value as plain text: for help, docs and the start log. */
public final class OptionText {

  private OptionText() {}

  /** The description, as plain text (the options here describe themselves in plain sentences). */
  public static String description(ConfigOption<?> option) {
    StringBuilder text = new StringBuilder();
    for (BlockElement block : option.description().getBlocks()) {
      if (block instanceof TextElement t && t.getElements().isEmpty()) {
        text.append(text.length() == 0 ? "" : " ").append(t.getFormat());
      }
    }
    return text.toString();
  }

  /** The default as written in a config file, or null when the option has none. */
  public static String defaultValue(ConfigOption<?> option) {
    return option.hasDefaultValue() ? format(option.defaultValue()) : null;
  }

  /** A value as it would be written in {@code config.yaml} or after {@code -D}. */
  public static String format(Object value) {
    if (value == null) {
      return null;
    }
    if (value instanceof Duration d) {
      return TimeUtils.formatWithHighestUnit(d);
    }
    if (value instanceof List<?> list) {
      return list.stream().map(OptionText::format).collect(Collectors.joining(";"));
    }
    return value.toString();
  }

  /** The value for a log line or a web page: secrets (by Flink's own rule for keys) masked. */
  public static String shown(ConfigOption<?> option, Object value) {
    if (value == null) {
      return "(not set)";
    }
    return GlobalConfiguration.isSensitive(option.key()) ? "******" : format(value);
  }
}
