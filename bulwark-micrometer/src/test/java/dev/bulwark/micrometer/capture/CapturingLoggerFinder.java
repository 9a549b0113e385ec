package dev.bulwark.micrometer.capture;

import java.text.MessageFormat;
import java.util.List;
import java.util.Locale;
import java.util.ResourceBundle;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Supplier;

/**
 * The test JVM's {@link System.LoggerFinder} (registered in {@code META-INF/services}): every
 * logger named {@code dev.bulwark.*} keeps what it is asked to log, at every level, so tests read
 * exactly what an application's logging backend would receive.
 */
public final class CapturingLoggerFinder extends System.LoggerFinder {

  /** One message as a backend would receive it. */
  public record Entry(String logger, System.Logger.Level level, String message) {}

  public static final List<Entry> ENTRIES = new CopyOnWriteArrayList<>();

  /** Made by the {@link java.util.ServiceLoader}. */
  public CapturingLoggerFinder() {}

  /** What loggers whose name starts with {@code prefix} logged, in order. */
  public static List<Entry> from(String prefix) {
    return ENTRIES.stream().filter(e -> e.logger().startsWith(prefix)).toList();
  }

  @Override
  public System.Logger getLogger(String name, Module module) {
    return new Capturing(name);
  }

  private static final class Capturing implements System.Logger {
    private final String name;

    Capturing(String name) {
      this.name = name;
    }

    @Override
    public String getName() {
      return name;
    }

    @Override
    public boolean isLoggable(Level level) {
      return name.startsWith("dev.bulwark.");
    }

    @Override
    public void log(Level level, Supplier<String> message) {
      if (isLoggable(level)) {
        ENTRIES.add(new Entry(name, level, message.get()));
      }
    }

    @Override
    public void log(Level level, ResourceBundle bundle, String msg, Throwable thrown) {
      if (isLoggable(level)) {
        ENTRIES.add(new Entry(name, level, msg + " " + thrown));
      }
    }

    @Override
    public void log(Level level, ResourceBundle bundle, String format, Object... params) {
      if (isLoggable(level)) {
        ENTRIES.add(
            new Entry(
                name,
                level,
                params.length == 0
                    ? format
                    : new MessageFormat(format, Locale.ROOT).format(params)));
      }
    }
  }
}
