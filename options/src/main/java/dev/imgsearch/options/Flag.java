package dev.imgsearch.options;

import java.util.Objects;
import java.util.function.UnaryOperator;
import org.apache.flink.configuration.ConfigOption;

/**
 * A command-line flag that sets one {@link ConfigOption}: {@code --batch-size 128} is a shorthand
 * for {@code -Dimgsearch.inference.batch-size=128}. The option holds the type, the default and the
 * description; the flag only adds a name, a placeholder and, where the flag's form differs from the
 * option's (milliseconds, comma lists), how its value is written as the option's.
 *
 * <p>Build one with {@link #of}, then refine it with the {@code with...} methods.
 */
public final class Flag {

  private final String name;
  private final String label;
  private final ConfigOption<?> option;
  private final UnaryOperator<String> toOptionValue;
  private final String constant;
  private final String environment;
  private final String defaultText;
  private final String help;

  private Flag(
      String name,
      String label,
      ConfigOption<?> option,
      UnaryOperator<String> toOptionValue,
      String constant,
      String environment,
      String defaultText,
      String help) {
    if (!name.startsWith("--")) {
      throw new IllegalArgumentException("flag names start with --, got " + name);
    }
    this.name = name;
    this.label = label;
    this.option = Objects.requireNonNull(option, "option");
    this.toOptionValue = toOptionValue;
    this.constant = constant;
    this.environment = environment;
    this.defaultText = defaultText;
    this.help = help;
  }

  /** {@code name VALUE} sets the option to VALUE, parsed as the option's type. */
  public static Flag of(String name, String label, ConfigOption<?> option) {
    return new Flag(name, label, option, UnaryOperator.identity(), null, null, null, null);
  }

  /** {@code name MS}: whole milliseconds, written as the option's duration. */
  public static Flag millis(String name, ConfigOption<?> option) {
    return of(name, "MS", option).withValue(Flag::millisToDuration);
  }

  /** {@code name A,B,C}: a comma list, written as the option's list (Flink separates with ;). */
  public static Flag list(String name, String label, ConfigOption<?> option) {
    Flag flag = of(name, label, option).withValue(v -> v.replace(',', ';'));
    String shown = OptionText.defaultValue(option);
    return shown == null ? flag : flag.withDefaultText(shown.replace(';', ','));
  }

  /** A flag without a value that sets the option to {@code value}, e.g. a shortcut mode. */
  public static Flag constant(String name, ConfigOption<?> option, String value, String help) {
    return new Flag(name, null, option, UnaryOperator.identity(), value, null, null, help);
  }

  /** How the flag's value is written as the option's value. */
  public Flag withValue(UnaryOperator<String> conversion) {
    return new Flag(name, label, option, conversion, constant, environment, defaultText, help);
  }

  /** The environment variable that stands in for the flag when neither it nor the option is set. */
  public Flag withEnvironment(String variable) {
    return new Flag(name, label, option, toOptionValue, constant, variable, defaultText, help);
  }

  /** The default as the help shows it, when the option's own default does not say it all. */
  public Flag withDefaultText(String text) {
    return new Flag(name, label, option, toOptionValue, constant, environment, text, help);
  }

  /** Help text in place of the option's description (for a shortcut that sets a value). */
  public Flag withHelp(String text) {
    return new Flag(name, label, option, toOptionValue, constant, environment, defaultText, text);
  }

  public String name() {
    return name;
  }

  /** The placeholder of the value, e.g. {@code N} or {@code DIR}; null for a constant flag. */
  public String label() {
    return label;
  }

  public ConfigOption<?> option() {
    return option;
  }

  /** The value a constant flag sets; null for a flag that takes a value. */
  public String constant() {
    return constant;
  }

  /** The environment variable read when nothing set the option; null for none. */
  public String environment() {
    return environment;
  }

  /** The option's value for the flag's value as typed (or the constant). */
  public String toOptionValue(String flagValue) {
    return constant != null ? constant : toOptionValue.apply(flagValue.strip());
  }

  /** The default as help and docs show it: the flag's own text, else the option's default. */
  public String shownDefault() {
    return defaultText != null ? defaultText : OptionText.defaultValue(option);
  }

  /** The help text: the option's description, its default, and the key it sets. */
  public String help() {
    StringBuilder text = new StringBuilder(help != null ? help : OptionText.description(option));
    String shownDefault = shownDefault();
    if (constant == null && shownDefault != null) {
      text.append(" Default: ").append(shownDefault).append('.');
    }
    text.append(" (-D").append(option.key());
    if (constant != null) {
      text.append('=').append(constant);
    }
    return text.append(')').toString();
  }

  /** "--batch-size (imgsearch.inference.batch-size)", for messages. */
  @Override
  public String toString() {
    return name + " (" + option.key() + ")";
  }

  private static String millisToDuration(String value) {
    try {
      return Long.parseLong(value) + " ms";
    } catch (NumberFormatException e) {
      return value; // a duration with a unit, e.g. "2 s": the option parses it or says why not
    }
  }
}
