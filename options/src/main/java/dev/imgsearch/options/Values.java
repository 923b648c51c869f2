package dev.imgsearch.options;

import java.time.Duration;
import org.apache.flink.configuration.ConfigOption;
import org.apache.flink.configuration.ReadableConfig;

/** Range checks whose messages name the option, and the value forms flags translate. */
public final class Values {

  private Values() {}

  /** The option's value, at least {@code min} and at most {@code max}. */
  public static int inRange(ReadableConfig conf, ConfigOption<Integer> option, int min, int max) {
    int value = conf.get(option);
    if (value < min || value > max) {
      throw new IllegalArgumentException(
          option.key() + " is " + value + "; use " + min + " to " + max);
    }
    return value;
  }

  /** The option's value, above zero. */
  public static Duration positive(ReadableConfig conf, ConfigOption<Duration> option) {
    Duration value = conf.get(option);
    if (value == null || value.isNegative() || value.isZero()) {
      throw new IllegalArgumentException(
          option.key() + " is " + OptionText.format(value) + "; use a positive duration");
    }
    return value;
  }

  /** The option's value, zero or more. */
  public static Duration notNegative(ReadableConfig conf, ConfigOption<Duration> option) {
    Duration value = conf.get(option);
    if (value == null || value.isNegative()) {
      throw new IllegalArgumentException(
          option.key() + " is " + OptionText.format(value) + "; use 0 or a positive duration");
    }
    return value;
  }

  /** A flag's whole seconds as a duration; a value with a unit is passed on as it is. */
  static String seconds(String value) {
    try {
      return Long.parseLong(value) + " s";
    } catch (NumberFormatException e) {
      return value;
    }
  }
}
