package dev.imgsearch.cli.mixin;

import picocli.CommandLine.Option;

/** {@code --stacktrace}: errors print their stack trace after the one-line message. */
public class StacktraceOption {

  public static final String NAME = "--stacktrace";

  @Option(
      names = NAME,
      description = "Print the stack trace of an error, not just its one-line message.")
  boolean stacktrace;
}
