package dev.imgsearch.options;

import static org.apache.flink.configuration.ConfigOptions.key;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.time.Duration;
import java.util.List;
import org.apache.flink.configuration.ConfigOption;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.ParameterException;

/** Flags of a {@link ConfigMixin} become picocli options that write their option's value. */
class FlagBinderTest {

  static final ConfigOption<Integer> SIZE =
      key("test.size").intType().defaultValue(32).withDescription("Images at once.");
  static final ConfigOption<Duration> WAIT =
      key("test.wait").durationType().defaultValue(Duration.ofMillis(50)).withDescription("Wait.");
  static final ConfigOption<List<String>> EXTENSIONS =
      key("test.extensions").stringType().asList().defaultValues("jpg").withDescription("Exts.");
  static final ConfigOption<Integer> SIDE =
      key("test.side").intType().defaultValue(512).withDescription("Side, 100% exact.");

  static class TestFlags extends ConfigMixin {
    @Override
    protected List<Flag> flags() {
      return List.of(
          Flag.of("--size", "N", SIZE),
          Flag.millis("--wait-ms", WAIT),
          Flag.list("--extensions", "EXT,...", EXTENSIONS),
          Flag.constant("--fast", SIDE, "256", "Same as side 256."));
    }
  }

  @Command(name = "root")
  static class Root {}

  @Command(name = "sub", mixinStandardHelpOptions = true)
  static class Sub {
    @Mixin TestFlags flags;
  }

  private final Sub sub = new Sub();

  private CommandLine commandLine() {
    return FlagBinder.bind(new CommandLine(new Root()).addSubcommand("sub", sub));
  }

  @Test
  void flagsInASubcommandWriteTheirOptionsValues() {
    commandLine()
        .parseArgs("sub", "--size", "7", "--wait-ms", "120", "--extensions", "png,.gif", "--fast");

    var values = sub.flags.values();
    assertThat(values.get(SIZE)).isEqualTo(7);
    assertThat(values.get(WAIT)).isEqualTo(Duration.ofMillis(120));
    assertThat(values.get(EXTENSIONS)).containsExactly("png", ".gif");
    assertThat(values.get(SIDE)).isEqualTo(256);
  }

  @Test
  void flagsNotGivenLeaveTheirOptionsUnset() {
    commandLine().parseArgs("sub", "--size", "7");

    assertThat(sub.flags.values().contains(WAIT)).isFalse();
    assertThat(sub.flags.values().contains(SIDE)).isFalse();
  }

  @Test
  void aValueTheOptionCannotParseIsAnErrorNamingTheFlag() {
    assertThatThrownBy(() -> commandLine().parseArgs("sub", "--size", "many"))
        .isInstanceOf(ParameterException.class)
        .hasMessageContaining("--size")
        .hasMessageContaining("'many' is not valid");
  }

  @Test
  void helpShowsTheDescriptionTheDefaultAndTheKey() {
    StringWriter out = new StringWriter();
    CommandLine cl = commandLine();
    cl.getSubcommands().get("sub").usage(new PrintWriter(out, true));

    assertThat(out.toString())
        .contains("--size=N", "Images at once. Default: 32. (-Dtest.size)")
        .contains("--wait-ms=MS", "Default: 50 ms")
        .contains("--fast", "Same as side 256. (-Dtest.side=256)");
  }
}
