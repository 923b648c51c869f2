package dev.imgsearch.options;

import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.flink.configuration.Configuration;
import picocli.CommandLine;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.ISetter;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.TypeConversionException;

/**
 * Turns the {@link Flag}s of every {@link ConfigMixin} in a command tree into picocli options of
 * the command that mixes it in. A flag's value is checked against its option's type when it is
 * parsed, so {@code --batch-size many} fails with the flag's name, not later with a key.
 */
public final class FlagBinder {

  private FlagBinder() {}

  /** Adds the flags of every mixin in {@code root} and its subcommands; returns {@code root}. */
  public static CommandLine bind(CommandLine root) {
    CommandSpec spec = root.getCommandSpec();
    for (CommandSpec mixin : spec.mixins().values()) {
      if (mixin.userObject() instanceof ConfigMixin config) {
        for (Flag flag : config.flags()) {
          spec.addOption(optionSpec(flag, config.values()));
        }
      }
    }
    for (CommandLine sub : root.getSubcommands().values()) {
      bind(sub);
    }
    return root;
  }

  /** The picocli option of one flag, writing what it parses into {@code target}. */
  static OptionSpec optionSpec(Flag flag, Configuration target) {
    ISetter setter =
        new ISetter() {
          @Override
          public <T> T set(T value) {
            if (value != null && !Boolean.FALSE.equals(value)) {
              target.setString(flag.option().key(), flag.toOptionValue(String.valueOf(value)));
            }
            return null;
          }
        };
    OptionSpec.Builder option =
        OptionSpec.builder(flag.name())
            .description(escape(flag.help()))
            .setter(setter)
            .hideParamSyntax(false);
    if (flag.constant() != null) {
      return option.arity("0").type(boolean.class).build();
    }
    return option
        .arity("1")
        .paramLabel(flag.label())
        .type(String.class)
        .converters(value -> check(flag, value))
        .build();
  }

  /** The value, once the option's type accepts it. */
  private static String check(Flag flag, String value) {
    Configuration probe = new Configuration();
    probe.setString(flag.option().key(), flag.toOptionValue(value));
    try {
      probe.get(flag.option());
      return value;
    } catch (IllegalArgumentException e) {
      String reason = rootMessage(e);
      Matcher choices = ENUM_CHOICES.matcher(reason);
      throw new TypeConversionException(
          "'"
              + value
              + "' is not "
              + (choices.find()
                  ? "one of " + choices.group(1).replaceAll("[\\[\\]]", "")
                  : "valid: " + reason));
    }
  }

  /** How Flink words a value that is not one of an enum's constants. */
  private static final Pattern ENUM_CHOICES = Pattern.compile("Expected one of: \\[(.*)\\]");

  private static String rootMessage(Throwable e) {
    Throwable t = e;
    while (t.getCause() != null && t.getCause() != t) {
      t = t.getCause();
    }
    return t.getMessage() == null ? e.getMessage() : t.getMessage();
  }

  /** picocli formats descriptions: a literal % or ${ must be escaped. */
  private static String escape(String text) {
    return text.replace("%", "%%").replace("${", "$${");
  }

  /** The flags of these mixins, for tables and messages. */
  public static List<Flag> flagsOf(ConfigMixin... mixins) {
    return java.util.Arrays.stream(mixins).flatMap(m -> m.flags().stream()).toList();
  }
}
