package dev.imgsearch.cli.render;

import com.google.gson.Gson;
import com.google.gson.GsonBuilder;

/** The JSON printer all commands share: pretty, no HTML escaping of paths. */
public final class Json {

  public static final Gson GSON =
      new GsonBuilder().setPrettyPrinting().disableHtmlEscaping().serializeNulls().create();

  private Json() {}

  /** Milliseconds with one decimal. */
  public static double millis(long nanos) {
    return Math.round(nanos / 1e5) / 10.0;
  }
}
