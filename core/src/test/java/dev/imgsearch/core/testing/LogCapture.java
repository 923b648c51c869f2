package dev.imgsearch.core.testing;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.HashMap;
import java.util.Map;
import java.util.UUID;
import org.apache.logging.log4j.Level;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.core.LogEvent;
import org.apache.logging.log4j.core.LoggerContext;
import org.apache.logging.log4j.core.appender.AbstractAppender;
import org.apache.logging.log4j.core.config.Configuration;
import org.apache.logging.log4j.core.config.LoggerConfig;
import org.apache.logging.log4j.core.config.Property;

/**
 * Everything logged through Log4j 2 (and SLF4J on top of it) or java.util.logging (which gRPC,
 * shaded inside the Milvus SDK, uses) while it is open: each event's logger, formatted message and
 * stack trace, as one text to search. Named loggers can be turned up to DEBUG for the duration, to
 * check what a more verbose configuration would print.
 */
public final class LogCapture implements AutoCloseable {

  private final StringBuffer text = new StringBuffer();
  private final LoggerContext context;
  private final AbstractAppender appender;
  private final Map<String, Level> previousLevels = new HashMap<>();
  private final Map<String, Boolean> created = new HashMap<>();
  private final java.util.logging.Handler julHandler =
      new java.util.logging.Handler() {
        @Override
        public void publish(java.util.logging.LogRecord record) {
          StringBuilder line =
              new StringBuilder()
                  .append(record.getLevel())
                  .append(' ')
                  .append(record.getLoggerName())
                  .append(" - ")
                  .append(new java.util.logging.SimpleFormatter().formatMessage(record))
                  .append('\n');
          if (record.getThrown() != null) {
            StringWriter trace = new StringWriter();
            record.getThrown().printStackTrace(new PrintWriter(trace));
            line.append(trace);
          }
          text.append(line);
        }

        @Override
        public void flush() {}

        @Override
        public void close() {}
      };

  private LogCapture(String... debugLoggers) {
    context = (LoggerContext) LogManager.getContext(false);
    Configuration config = context.getConfiguration();
    appender =
        new AbstractAppender(
            "capture-" + UUID.randomUUID(), null, null, true, Property.EMPTY_ARRAY) {
          @Override
          public void append(LogEvent event) {
            StringBuilder line =
                new StringBuilder()
                    .append(event.getLevel())
                    .append(' ')
                    .append(event.getLoggerName())
                    .append(" - ")
                    .append(event.getMessage().getFormattedMessage())
                    .append('\n');
            if (event.getThrown() != null) {
              StringWriter trace = new StringWriter();
              event.getThrown().printStackTrace(new PrintWriter(trace));
              line.append(trace);
            }
            text.append(line);
          }
        };
    appender.start();
    config.addAppender(appender);
    for (String name : debugLoggers) {
      LoggerConfig existing = config.getLoggers().get(name);
      if (existing == null) {
        LoggerConfig added = new LoggerConfig(name, Level.DEBUG, true);
        config.addLogger(name, added);
        created.put(name, true);
      } else {
        previousLevels.put(name, existing.getLevel());
        existing.setLevel(Level.DEBUG);
      }
    }
    for (LoggerConfig logger : config.getLoggers().values()) {
      logger.addAppender(appender, null, null);
    }
    config.getRootLogger().addAppender(appender, null, null);
    context.updateLoggers();
    java.util.logging.Logger.getLogger("").addHandler(julHandler);
  }

  /** Starts capturing; {@code debugLoggers} are raised to DEBUG until {@link #close()}. */
  public static LogCapture start(String... debugLoggers) {
    return new LogCapture(debugLoggers);
  }

  /** What was logged so far. */
  public String text() {
    return text.toString();
  }

  @Override
  public void close() {
    java.util.logging.Logger.getLogger("").removeHandler(julHandler);
    Configuration config = context.getConfiguration();
    for (LoggerConfig logger : config.getLoggers().values()) {
      logger.removeAppender(appender.getName());
    }
    config.getRootLogger().removeAppender(appender.getName());
    for (String name : created.keySet()) {
      config.removeLogger(name);
    }
    previousLevels.forEach((name, level) -> config.getLoggers().get(name).setLevel(level));
    context.updateLoggers();
    appender.stop();
  }
}
