package dev.bulwark.spi;

import java.math.BigDecimal;
import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.function.BiConsumer;
import java.util.function.ObjDoubleConsumer;
import java.util.function.ObjIntConsumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;

/**
 * One setting of a config, declared once beside the config: its name, type, allowed range, default
 * and one line of doc, and how a value is applied to the config's builder. The registry's
 * environment and properties parser, its error messages and the tables of {@code
 * docs/configuration.md} all come from these declarations.
 *
 * <p>A setting's name is in the variable form ({@code "OPEN_DURATION"}); its properties form is
 * {@code open-duration}. {@code field} is the builder method it sets, so that a builder's message
 * about that field ({@code "minimumCalls must be in [1, 100] (windowSize), was 200"}) can be
 * reworded to name the variable as written.
 *
 * {@snippet :
 * Setting<Builder> windowSize =
 *     Setting.ofInt("WINDOW_SIZE", "windowSize", 1, 100_000, Builder::windowSize)
 *         .doc("calls remembered when computing the failure rate")
 *         .defaultValue("100");
 * }
 *
 * <p>Immutable; thread-safe if its applier is.
 *
 * @param <B> the config builder a value is applied to
 */
public final class Setting<B> {

  /** The type of a setting's values, and how a value is written. */
  public enum Type {
    /** {@code true} or {@code false}, any case. */
    BOOLEAN,
    /** A whole number in plain notation. */
    INTEGER,
    /** A number in plain notation with at most 9 decimals. */
    DECIMAL,
    /** ISO-8601 ({@code PT30S}) or a whole number and a unit ({@code 500ms}, {@code 30s}). */
    DURATION,
    /** One of a few names, any case, {@code -} or {@code _}. */
    CHOICE,
    /** Any text, trimmed ({@code https://inventory/health}, a policy's name); empty for none. */
    TEXT
  }

  /** The longest duration any setting accepts. */
  public static final Duration MAX_DURATION = Duration.ofDays(365);

  private static final Pattern SIMPLE_DURATION =
      Pattern.compile("([+-]?\\d+)\\s*(ns|us|ms|s|m|h|d)", Pattern.CASE_INSENSITIVE);
  private static final Pattern NUMBER = Pattern.compile("[+-]?(\\d+)(\\.(\\d+))?");
  private static final String DURATION_HINT =
      " (use ISO-8601 such as PT30S, or a whole number and a unit: 500ms, 30s, 2m, 1h, 1d; also"
          + " ns, us)";

  private final String name;
  private final String field;
  private final Type type;
  private final @Nullable Comparable<?> min;
  private final @Nullable Comparable<?> max;
  private final boolean minExclusive;
  private final List<? extends Enum<?>> choices;
  private final BiConsumer<B, Object> applier;
  private final String doc;
  private final String defaultValue;
  private final String note;
  private final boolean secret;

  private Setting(
      String name,
      String field,
      Type type,
      @Nullable Comparable<?> min,
      boolean minExclusive,
      @Nullable Comparable<?> max,
      List<? extends Enum<?>> choices,
      BiConsumer<B, Object> applier,
      String doc,
      String defaultValue,
      String note,
      boolean secret) {
    if (!name.matches("[A-Z][A-Z0-9]*(_[A-Z0-9]+)*")) {
      throw new IllegalArgumentException("a setting name is UPPER_SNAKE_CASE, was '" + name + "'");
    }
    this.name = name;
    this.field = Objects.requireNonNull(field, "field");
    this.type = type;
    this.min = min;
    this.minExclusive = minExclusive;
    this.max = max;
    this.choices = choices;
    this.applier = Objects.requireNonNull(applier, "applier");
    this.doc = doc;
    this.defaultValue = defaultValue;
    this.note = note;
    this.secret = secret;
  }

  /**
   * An integer setting in [min, max], applied by {@code applier}.
   *
   * @throws IllegalArgumentException if {@code name} is not UPPER_SNAKE_CASE
   */
  public static <B> Setting<B> ofInt(
      String name, String field, int min, int max, ObjIntConsumer<B> applier) {
    Objects.requireNonNull(applier, "applier");
    BigDecimal lo = BigDecimal.valueOf(min);
    BigDecimal hi = BigDecimal.valueOf(max);
    return new Setting<>(
        name,
        field,
        Type.INTEGER,
        lo,
        false,
        hi,
        List.of(),
        (b, v) -> applier.accept(b, (Integer) v),
        "",
        "",
        "",
        false);
  }

  /**
   * A decimal setting in [min, max] ({@code (min, max]} if {@code minExclusive}), applied by {@code
   * applier}. Values are compared with the bounds exactly, before any rounding to the builder's
   * type.
   *
   * @throws IllegalArgumentException if {@code name} is not UPPER_SNAKE_CASE
   */
  public static <B> Setting<B> ofDecimal(
      String name,
      String field,
      double min,
      boolean minExclusive,
      double max,
      ObjDoubleConsumer<B> applier) {
    Objects.requireNonNull(applier, "applier");
    return new Setting<>(
        name,
        field,
        Type.DECIMAL,
        BigDecimal.valueOf(min),
        minExclusive,
        BigDecimal.valueOf(max),
        List.of(),
        (b, v) -> applier.accept(b, (Double) v),
        "",
        "",
        "",
        false);
  }

  /**
   * A duration setting in [min, max] ({@code (min, max]} if {@code minExclusive}), applied by
   * {@code applier}.
   *
   * @throws IllegalArgumentException if {@code name} is not UPPER_SNAKE_CASE
   */
  public static <B> Setting<B> ofDuration(
      String name,
      String field,
      Duration min,
      boolean minExclusive,
      Duration max,
      BiConsumer<B, Duration> applier) {
    Objects.requireNonNull(applier, "applier");
    return new Setting<>(
        name,
        field,
        Type.DURATION,
        min,
        minExclusive,
        max,
        List.of(),
        (b, v) -> applier.accept(b, (Duration) v),
        "",
        "",
        "",
        false);
  }

  /** A duration setting in (0, 365 days] ({@code positive}) or [0, 365 days]. */
  public static <B> Setting<B> ofDuration(
      String name, String field, boolean positive, BiConsumer<B, Duration> applier) {
    return ofDuration(name, field, Duration.ZERO, positive, MAX_DURATION, applier);
  }

  /** A boolean setting. */
  public static <B> Setting<B> ofBoolean(
      String name, String field, BiConsumer<B, Boolean> applier) {
    Objects.requireNonNull(applier, "applier");
    return new Setting<>(
        name,
        field,
        Type.BOOLEAN,
        null,
        false,
        null,
        List.of(),
        (b, v) -> applier.accept(b, (Boolean) v),
        "",
        "",
        "",
        false);
  }

  /** A setting whose value is one of {@code type}'s constants. */
  public static <B, E extends Enum<E>> Setting<B> ofChoice(
      String name, String field, Class<E> type, BiConsumer<B, E> applier) {
    Objects.requireNonNull(applier, "applier");
    return new Setting<>(
        name,
        field,
        Type.CHOICE,
        null,
        false,
        null,
        List.of(type.getEnumConstants()),
        (b, v) -> applier.accept(b, type.cast(v)),
        "",
        "",
        "",
        false);
  }

  /**
   * A text setting (a URL, a name), applied trimmed by {@code applier}; empty text is allowed.
   *
   * @throws IllegalArgumentException if {@code name} is not UPPER_SNAKE_CASE
   */
  public static <B> Setting<B> ofText(String name, String field, BiConsumer<B, String> applier) {
    Objects.requireNonNull(applier, "applier");
    return new Setting<>(
        name,
        field,
        Type.TEXT,
        null,
        false,
        null,
        List.of(),
        (b, v) -> applier.accept(b, (String) v),
        "",
        "",
        "",
        false);
  }

  /**
   * This setting marked as holding a secret (a URI with a password): messages about a config it was
   * set in show {@code (secret)} in place of its value.
   */
  public Setting<B> secret() {
    return new Setting<>(
        name, field, type, min, minExclusive, max, choices, applier, doc, defaultValue, note, true);
  }

  /** True if its values are secret and never shown in messages. */
  public boolean isSecret() {
    return secret;
  }

  /** This setting with its one line of doc, as it appears in {@code docs/configuration.md}. */
  public Setting<B> doc(String doc) {
    return new Setting<>(
        name,
        field,
        type,
        min,
        minExclusive,
        max,
        choices,
        applier,
        doc,
        defaultValue,
        note,
        secret);
  }

  /** This setting with its default as documented ({@code "30s"}, {@code "0 (off)"}, "none"). */
  public Setting<B> defaultValue(String text) {
    return new Setting<>(
        name, field, type, min, minExclusive, max, choices, applier, doc, text, note, secret);
  }

  /** This setting with a note on how it must fit the others ({@code "at most WINDOW_SIZE"}). */
  public Setting<B> note(String text) {
    return new Setting<>(
        name,
        field,
        type,
        min,
        minExclusive,
        max,
        choices,
        applier,
        doc,
        defaultValue,
        text,
        secret);
  }

  /** The name in variable form, {@code "OPEN_DURATION"}. */
  public String name() {
    return name;
  }

  /** The name in properties form, {@code "open-duration"}. */
  public String propertyName() {
    return name.toLowerCase(Locale.ROOT).replace('_', '-');
  }

  /** The builder method this setting calls, {@code "openDuration"}. */
  public String field() {
    return field;
  }

  /** The type of its values. */
  public Type type() {
    return type;
  }

  /** One line saying what it does; empty if none was given. */
  public String doc() {
    return doc;
  }

  /** The default as documented; empty if none was given. */
  public String defaultValue() {
    return defaultValue;
  }

  /** The values allowed, as documented: a range, the choices, and the note if any. */
  public String allowed() {
    String text;
    switch (type) {
      case BOOLEAN:
        text = "`true`, `false`";
        break;
      case TEXT:
        text = secret ? "text, never shown in messages" : "text";
        break;
      case CHOICE:
        List<String> names = new ArrayList<>();
        choices.forEach(c -> names.add("`" + c.name() + "`"));
        text = String.join(", ", names);
        break;
      default:
        text = range();
    }
    return note.isEmpty() ? text : text + ", " + note;
  }

  private String range() {
    return (minExclusive ? "(" : "[") + show(min) + ", " + show(max) + "]";
  }

  private static String show(@Nullable Object bound) {
    if (bound == null) {
      return "unbounded";
    }
    if (bound instanceof BigDecimal) {
      return ((BigDecimal) bound).stripTrailingZeros().toPlainString();
    }
    Duration d = (Duration) bound;
    return d.isZero() ? "0" : d.toString();
  }

  /** Applies {@code value}, as {@link #parse} returned it, to {@code builder}. */
  public void apply(B builder, Object value) {
    applier.accept(builder, value);
  }

  /**
   * {@code text} parsed and checked against the range: a Boolean, Integer, Double, Duration, enum
   * constant or (trimmed) String.
   *
   * @param source the variable or key as written, named in messages
   * @throws IllegalArgumentException naming {@code source}, saying what is wrong with {@code text}
   */
  public Object parse(String source, String text) {
    String t = text.trim();
    switch (type) {
      case BOOLEAN:
        if (t.equalsIgnoreCase("true") || t.equalsIgnoreCase("false")) {
          return Boolean.valueOf(t);
        }
        throw new IllegalArgumentException(source + " must be true or false, was '" + text + "'");
      case INTEGER:
      case DECIMAL:
        return number(source, t, text);
      case DURATION:
        Duration d = duration(source, t, text);
        checkRange(source, text, d);
        return d;
      case TEXT:
        return t;
      case CHOICE:
      default:
        String wanted = t.toUpperCase(Locale.ROOT).replace('-', '_');
        for (Enum<?> choice : choices) {
          if (choice.name().equals(wanted)) {
            return choice;
          }
        }
        throw new IllegalArgumentException(
            source + " must be one of " + choices + ", was '" + text + "'");
    }
  }

  private Object number(String source, String t, String text) {
    Matcher m = NUMBER.matcher(t);
    if (!m.matches()) {
      throw new IllegalArgumentException(
          source
              + " is not "
              + (type == Type.INTEGER ? "an integer" : "a number")
              + ": '"
              + text
              + "'");
    }
    if (m.group(3) != null && type == Type.INTEGER) {
      throw new IllegalArgumentException(source + " is not an integer: '" + text + "'");
    }
    if (m.group(3) != null && m.group(3).length() > 9) {
      throw new IllegalArgumentException(
          source + " has too many decimals: '" + text + "' (at most 9)");
    }
    BigDecimal value = new BigDecimal(t.startsWith("+") ? t.substring(1) : t);
    checkRange(source, text, value);
    return type == Type.INTEGER ? (Object) value.intValueExact() : (Object) value.doubleValue();
  }

  @SuppressWarnings({"unchecked", "rawtypes"})
  private void checkRange(String source, String text, Comparable value) {
    int low = value.compareTo(min);
    if (low < 0 || (low == 0 && minExclusive) || value.compareTo(max) > 0) {
      throw new IllegalArgumentException(
          source + " must be in " + range() + ", was " + text.trim());
    }
  }

  private static Duration duration(String source, String t, String text) {
    if (!t.isEmpty()
        && (t.charAt(0) == 'P'
            || t.charAt(0) == 'p'
            || t.startsWith("-P")
            || t.startsWith("-p")
            || t.startsWith("+P")
            || t.startsWith("+p"))) {
      try {
        return Duration.parse(t);
      } catch (DateTimeParseException e) {
        if (e.getCause() instanceof ArithmeticException
            || e.getCause() instanceof NumberFormatException) {
          return MAX_DURATION.plusDays(1); // too long: refused by the range
        }
        throw new IllegalArgumentException(
            source + " is not a duration: '" + text + "'" + DURATION_HINT, e);
      }
    }
    Matcher m = SIMPLE_DURATION.matcher(t);
    if (!m.matches()) {
      String hint =
          t.matches("[+-]?\\d+")
              ? " (a bare number needs a unit: " + t + "s, " + t + "ms, ...)"
              : DURATION_HINT;
      throw new IllegalArgumentException(source + " is not a duration: '" + text + "'" + hint);
    }
    ChronoUnit unit;
    switch (m.group(2).toLowerCase(Locale.ROOT)) {
      case "ns":
        unit = ChronoUnit.NANOS;
        break;
      case "us":
        unit = ChronoUnit.MICROS;
        break;
      case "ms":
        unit = ChronoUnit.MILLIS;
        break;
      case "s":
        unit = ChronoUnit.SECONDS;
        break;
      case "m":
        unit = ChronoUnit.MINUTES;
        break;
      case "h":
        unit = ChronoUnit.HOURS;
        break;
      default:
        unit = ChronoUnit.DAYS;
    }
    try {
      return Duration.of(Long.parseLong(m.group(1)), unit);
    } catch (ArithmeticException | NumberFormatException e) {
      return m.group(1).startsWith("-") ? MAX_DURATION.negated() : MAX_DURATION.plusDays(1);
    }
  }

  @Override
  public String toString() {
    return "Setting[" + name + "]";
  }
}
