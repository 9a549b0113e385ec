package dev.bulwark;

import dev.bulwark.bulkhead.BulkheadConfig;
import dev.bulwark.circuitbreaker.CircuitBreakerConfig;
import dev.bulwark.ratelimit.RateLimiterConfig;
import dev.bulwark.retry.Backoff;
import dev.bulwark.retry.RetryConfig;
import dev.bulwark.timeout.TimeoutConfig;
import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Consumer;
import java.util.function.Supplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/*
 * Bulwark's settings as environment variables or properties, parsed into typed values.
 *
 * One naming scheme: a properties key becomes its variable name by upper-casing it and turning
 * every '.' and '-' into '_' (bulwark.breaker.payments.open-duration is
 * BULWARK_BREAKER_PAYMENTS_OPEN_DURATION). Both forms are parsed in the variable form, char by
 * char, so indices into the variable name are indices into the key as written. After BULWARK_ come
 * either a global setting (ENABLED) or a kind (BREAKER_, RETRY_, RATE_LIMITER_, BULKHEAD_, TIMEOUT_)
 * and then either a
 * setting of that kind (the default config) or a config name followed by a setting; when several
 * settings end the name, the longest wins (..._MAX_OPEN_DURATION is maxOpenDuration).
 *
 * Types are checked here, when a layer is added; ranges are checked by the config builders
 * themselves when the registry is built, and their messages are renamed from the builder's field
 * to the variable as written, so ranges have one source of truth.
 */
final class Settings {

  /** The config name that stands for a kind's default config. */
  static final String DEFAULT = "DEFAULT";

  private static final Pattern SIMPLE_DURATION =
      Pattern.compile("(\\d{1,18})\\s*(ns|us|ms|s|m|h|d)", Pattern.CASE_INSENSITIVE);
  private static final Pattern DECIMAL = Pattern.compile("[+-]?\\d{1,9}(\\.\\d{1,9})?");
  private static final Pattern INTEGER = Pattern.compile("[+-]?\\d{1,10}");

  private Settings() {}

  /** What a setting configures. */
  enum Kind {
    GLOBAL("", "", "registry"),
    BREAKER("BREAKER_", "breaker.", "circuit breaker"),
    RETRY("RETRY_", "retry.", "retry"),
    RATE_LIMITER("RATE_LIMITER_", "rate-limiter.", "rate limiter"),
    BULKHEAD("BULKHEAD_", "bulkhead.", "bulkhead"),
    TIMEOUT("TIMEOUT_", "timeout.", "timeout");

    final String envPrefix;
    final String propertyPrefix;
    final String label;

    Kind(String envPrefix, String propertyPrefix, String label) {
      this.envPrefix = envPrefix;
      this.propertyPrefix = propertyPrefix;
      this.label = label;
    }
  }

  /** A value's type, and how it is parsed. */
  enum Type {
    BOOLEAN,
    INT,
    DECIMAL,
    DURATION,
    JITTER,
    ALGORITHM
  }

  /** Every setting; {@code field} is the builder field whose messages name it. */
  enum Key {
    ENABLED(Kind.GLOBAL, "ENABLED", Type.BOOLEAN, "enabled"),
    TIMEOUT(Kind.GLOBAL, "TIMEOUT", Type.DURATION, "defaultTimeout"),
    MAX_INSTANCES(Kind.GLOBAL, "MAX_INSTANCES", Type.INT, "maxInstances"),
    IDLE_EVICTION(Kind.GLOBAL, "IDLE_EVICTION", Type.DURATION, "idleEviction"),
    BREAKER_FAILURE_THRESHOLD(Kind.BREAKER, "FAILURE_THRESHOLD", Type.INT, "consecutiveFailures"),
    BREAKER_FAILURE_RATE(Kind.BREAKER, "FAILURE_RATE", Type.DECIMAL, "failureRateThreshold"),
    BREAKER_SLOW_CALL_DURATION(
        Kind.BREAKER, "SLOW_CALL_DURATION", Type.DURATION, "slowCallDuration"),
    BREAKER_SLOW_CALL_RATE(Kind.BREAKER, "SLOW_CALL_RATE", Type.DECIMAL, "slowCallRateThreshold"),
    BREAKER_WINDOW_SIZE(Kind.BREAKER, "WINDOW_SIZE", Type.INT, "windowSize"),
    BREAKER_MINIMUM_CALLS(Kind.BREAKER, "MINIMUM_CALLS", Type.INT, "minimumCalls"),
    BREAKER_OPEN_DURATION(Kind.BREAKER, "OPEN_DURATION", Type.DURATION, "openDuration"),
    BREAKER_OPEN_DURATION_MULTIPLIER(
        Kind.BREAKER, "OPEN_DURATION_MULTIPLIER", Type.DECIMAL, "openDurationMultiplier"),
    BREAKER_MAX_OPEN_DURATION(Kind.BREAKER, "MAX_OPEN_DURATION", Type.DURATION, "maxOpenDuration"),
    BREAKER_HALF_OPEN_MAX_CALLS(Kind.BREAKER, "HALF_OPEN_MAX_CALLS", Type.INT, "halfOpenMaxCalls"),
    BREAKER_SUCCESS_THRESHOLD(Kind.BREAKER, "SUCCESS_THRESHOLD", Type.INT, "successThreshold"),
    RETRY_MAX_ATTEMPTS(Kind.RETRY, "MAX_ATTEMPTS", Type.INT, "maxAttempts"),
    RETRY_INITIAL_DELAY(Kind.RETRY, "INITIAL_DELAY", Type.DURATION, "initial"),
    RETRY_MAX_DELAY(Kind.RETRY, "MAX_DELAY", Type.DURATION, "max"),
    RETRY_MULTIPLIER(Kind.RETRY, "MULTIPLIER", Type.DECIMAL, "multiplier"),
    RETRY_JITTER(Kind.RETRY, "JITTER", Type.JITTER, "jitter"),
    RETRY_MAX_DURATION(Kind.RETRY, "MAX_DURATION", Type.DURATION, "maxDuration"),
    RETRY_ATTEMPT_TIMEOUT(Kind.RETRY, "ATTEMPT_TIMEOUT", Type.DURATION, "attemptTimeout"),
    RATE_LIMITER_LIMIT(Kind.RATE_LIMITER, "LIMIT", Type.INT, "limit"),
    RATE_LIMITER_PERIOD(Kind.RATE_LIMITER, "PERIOD", Type.DURATION, "period"),
    RATE_LIMITER_BURST(Kind.RATE_LIMITER, "BURST", Type.INT, "burst"),
    RATE_LIMITER_MAX_WAIT(Kind.RATE_LIMITER, "MAX_WAIT", Type.DURATION, "maxWait"),
    RATE_LIMITER_ALGORITHM(Kind.RATE_LIMITER, "ALGORITHM", Type.ALGORITHM, "algorithm"),
    BULKHEAD_MAX_CONCURRENT_CALLS(
        Kind.BULKHEAD, "MAX_CONCURRENT_CALLS", Type.INT, "maxConcurrentCalls"),
    BULKHEAD_MAX_WAIT(Kind.BULKHEAD, "MAX_WAIT", Type.DURATION, "maxWait"),
    TIMEOUT_DURATION(Kind.TIMEOUT, "DURATION", Type.DURATION, "timeout"),
    TIMEOUT_CANCEL_RUNNING_FUTURE(
        Kind.TIMEOUT, "CANCEL_RUNNING_FUTURE", Type.BOOLEAN, "cancelRunningFuture");

    final Kind kind;
    final String suffix;
    final Type type;
    final String field;

    Key(Kind kind, String suffix, Type type, String field) {
      this.kind = kind;
      this.suffix = suffix;
      this.type = type;
      this.field = field;
    }

    /** The variable that sets this for the default config (or globally). */
    String envName() {
      return "BULWARK_" + kind.envPrefix + suffix;
    }

    /** The properties key that sets this for the default config (or globally). */
    String propertyName() {
      return "bulwark." + kind.propertyPrefix + suffix.toLowerCase(Locale.ROOT).replace('_', '-');
    }
  }

  /**
   * One setting as given.
   *
   * @param configName the config it applies to, normalized; {@link #DEFAULT} for the default, or
   *     for a global setting
   * @param source the variable or key as written
   * @param text the value as written
   * @param value the parsed value: Boolean, Integer, Double, Duration or an enum constant
   */
  record Value(Key key, String configName, String source, String text, Object value) {
    int intValue() {
      return (Integer) value;
    }

    double decimal() {
      return (Double) value;
    }

    Duration duration() {
      return (Duration) value;
    }

    /** {@code e} from a builder, reworded to name this setting as written instead of the field. */
    IllegalArgumentException rename(IllegalArgumentException e) {
      String message = String.valueOf(e.getMessage());
      if (!explains(e)) {
        return new IllegalArgumentException(source + "=" + text + ": " + message, e);
      }
      String rest = message.substring(key.field.length());
      int was = rest.lastIndexOf(", was ");
      if (was >= 0) {
        rest = rest.substring(0, was) + ", was " + text.trim();
      }
      return new IllegalArgumentException(source + rest, e);
    }

    boolean explains(IllegalArgumentException e) {
      String message = e.getMessage();
      return message != null && message.startsWith(key.field + " ");
    }
  }

  /** A config name as settings match it: upper case, every other character but digits '_'. */
  static String normalize(String name) {
    char[] chars = new char[name.length()];
    for (int i = 0; i < chars.length; i++) {
      char c = name.charAt(i);
      if (c >= 'a' && c <= 'z') {
        chars[i] = (char) (c - 'a' + 'A');
      } else if ((c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')) {
        chars[i] = c;
      } else {
        chars[i] = '_';
      }
    }
    return new String(chars);
  }

  /**
   * The Bulwark settings among environment variables: every variable whose name starts with {@code
   * BULWARK_}; others are ignored.
   *
   * @throws IllegalArgumentException naming the variable, for an unknown one or a bad value
   */
  static List<Value> fromEnvironment(Map<String, String> environment) {
    List<Value> values = new ArrayList<>();
    for (Map.Entry<String, String> e : environment.entrySet()) {
      String name = e.getKey();
      if (name != null && name.startsWith("BULWARK_")) {
        values.add(parse(name, name, String.valueOf(e.getValue()), false));
      }
    }
    return values;
  }

  /**
   * The Bulwark settings among properties: every key that starts with {@code bulwark.}, in any
   * case; others are ignored.
   *
   * @throws IllegalArgumentException naming the key, for an unknown one or a bad value
   */
  static List<Value> fromProperties(Map<?, ?> properties) {
    List<Value> values = new ArrayList<>();
    for (Map.Entry<?, ?> e : properties.entrySet()) {
      if (!(e.getKey() instanceof String)) {
        continue;
      }
      String key = (String) e.getKey();
      if (key.regionMatches(true, 0, "bulwark.", 0, 8)) {
        values.add(parse(key, envForm(key), String.valueOf(e.getValue()), true));
      }
    }
    return values;
  }

  /** {@code key} in the variable form; the same length, char for char. */
  static String envForm(String key) {
    char[] chars = new char[key.length()];
    for (int i = 0; i < chars.length; i++) {
      char c = key.charAt(i);
      chars[i] = c == '.' || c == '-' ? '_' : Character.toUpperCase(c);
    }
    return new String(chars);
  }

  private static Value parse(String source, String env, String text, boolean property) {
    String rest = env.substring("BULWARK_".length());
    Key global = null;
    Key best = null;
    int nameEnd = -1;
    for (Key key : Key.values()) {
      if ((key.kind.envPrefix + key.suffix).equals(rest)) {
        global = key;
      }
    }
    if (global != null) {
      return new Value(global, DEFAULT, source, text, parseValue(global, source, text));
    }
    for (Key key : Key.values()) {
      String prefix = key.kind.envPrefix;
      if (key.kind == Kind.GLOBAL || !rest.startsWith(prefix)) {
        continue;
      }
      String tail = rest.substring(prefix.length());
      if (tail.length() > key.suffix.length() + 1
          && tail.endsWith("_" + key.suffix)
          && (best == null || key.suffix.length() > best.suffix.length())) {
        best = key;
        nameEnd = tail.length() - key.suffix.length() - 1;
      }
    }
    if (best == null) {
      throw unknown(source, rest, property);
    }
    String name =
        rest.substring(best.kind.envPrefix.length(), best.kind.envPrefix.length() + nameEnd);
    return new Value(best, normalize(name), source, text, parseValue(best, source, text));
  }

  private static Object parseValue(Key key, String source, String text) {
    String t = text.trim();
    switch (key.type) {
      case BOOLEAN:
        if (t.equalsIgnoreCase("true") || t.equalsIgnoreCase("false")) {
          return Boolean.valueOf(t);
        }
        throw new IllegalArgumentException(source + " must be true or false, was '" + text + "'");
      case INT:
        if (INTEGER.matcher(t).matches()) {
          long value = Long.parseLong(t);
          if (value >= Integer.MIN_VALUE && value <= Integer.MAX_VALUE) {
            return (int) value;
          }
        }
        throw new IllegalArgumentException(source + " is not an integer: '" + text + "'");
      case DECIMAL:
        if (DECIMAL.matcher(t).matches()) {
          return Double.parseDouble(t);
        }
        throw new IllegalArgumentException(source + " is not a number: '" + text + "'");
      case DURATION:
        Duration duration = parseDuration(t);
        if (duration == null) {
          throw new IllegalArgumentException(
              source
                  + " is not a duration: '"
                  + text
                  + "' (use ISO-8601 such as PT30S, or a whole number and a unit: 500ms, 30s, 2m,"
                  + " 1h, 1d; also ns, us)");
        }
        return duration;
      case JITTER:
        return parseEnum(Backoff.Jitter.class, source, text);
      case ALGORITHM:
      default:
        return parseEnum(RateLimiterConfig.Algorithm.class, source, text);
    }
  }

  private static <E extends Enum<E>> E parseEnum(Class<E> type, String source, String text) {
    String wanted = envForm(text.trim());
    for (E constant : type.getEnumConstants()) {
      if (constant.name().equals(wanted)) {
        return constant;
      }
    }
    throw new IllegalArgumentException(
        source
            + " must be one of "
            + Arrays.toString(type.getEnumConstants())
            + ", was '"
            + text
            + "'");
  }

  /**
   * {@code text} as a duration, or null if it is none: ISO-8601 ({@code PT30S}) or a whole number
   * and a unit ({@code 500ms}, {@code 30s}, {@code 2m}, {@code 1h}, {@code 1d}, {@code ns}, {@code
   * us}).
   */
  static Duration parseDuration(String text) {
    String t = text.trim();
    if (t.isEmpty()) {
      return null;
    }
    char first = t.charAt(0);
    if (first == 'P' || first == 'p' || first == '-' || first == '+') {
      try {
        return Duration.parse(t);
      } catch (DateTimeParseException e) {
        return null;
      }
    }
    Matcher m = SIMPLE_DURATION.matcher(t);
    if (!m.matches()) {
      return null;
    }
    long amount = Long.parseLong(m.group(1));
    try {
      switch (m.group(2).toLowerCase(Locale.ROOT)) {
        case "ns":
          return Duration.ofNanos(amount);
        case "us":
          return Duration.of(amount, ChronoUnit.MICROS);
        case "ms":
          return Duration.ofMillis(amount);
        case "s":
          return Duration.ofSeconds(amount);
        case "m":
          return Duration.ofMinutes(amount);
        case "h":
          return Duration.ofHours(amount);
        case "d":
        default:
          return Duration.ofDays(amount);
      }
    } catch (ArithmeticException e) {
      return null;
    }
  }

  private static IllegalArgumentException unknown(String source, String rest, boolean property) {
    String suggestion = nearMiss(source, rest, property);
    return new IllegalArgumentException(
        "unknown Bulwark setting "
            + source
            + (suggestion == null ? "" : "; did you mean " + suggestion + "?")
            + " (every setting is listed in docs/configuration.md; remove or rename it)");
  }

  /** The known setting closest to {@code rest}, as the user would write it; null if none close. */
  private static String nearMiss(String source, String rest, boolean property) {
    String best = null;
    int bestDistance = Integer.MAX_VALUE;
    for (Key key : Key.values()) {
      int d = distance(rest, key.kind.envPrefix + key.suffix);
      if (d < bestDistance) {
        bestDistance = d;
        best = property ? key.propertyName() : key.envName();
      }
      String prefix = key.kind.envPrefix;
      if (key.kind == Kind.GLOBAL || !rest.startsWith(prefix)) {
        continue;
      }
      int start = "BULWARK_".length() + prefix.length();
      for (int i = start + 1; i < source.length(); i++) {
        char c = source.charAt(i);
        if (c != '_' && c != '.' && c != '-') {
          continue;
        }
        d = distance(rest.substring(i - "BULWARK_".length() + 1), key.suffix);
        if (d < bestDistance) {
          bestDistance = d;
          String name = source.substring(start, i);
          best =
              property
                  ? "bulwark."
                      + key.kind.propertyPrefix
                      + name
                      + "."
                      + key.suffix.toLowerCase(Locale.ROOT).replace('_', '-')
                  : "BULWARK_" + prefix + name + "_" + key.suffix;
        }
      }
    }
    return bestDistance <= 3 ? best : null;
  }

  /** Levenshtein distance. */
  private static int distance(String a, String b) {
    int[] previous = new int[b.length() + 1];
    int[] current = new int[b.length() + 1];
    for (int j = 0; j <= b.length(); j++) {
      previous[j] = j;
    }
    for (int i = 1; i <= a.length(); i++) {
      current[0] = i;
      for (int j = 1; j <= b.length(); j++) {
        int cost = a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1;
        current[j] =
            Math.min(Math.min(current[j - 1] + 1, previous[j] + 1), previous[j - 1] + cost);
      }
      int[] swap = previous;
      previous = current;
      current = swap;
    }
    return previous[b.length()];
  }

  // ---- applying settings to configs ----

  /**
   * Hands each value to {@code setter}, renaming a bad value's error to the variable as written.
   */
  private static void setEach(List<Value> values, Consumer<Value> setter) {
    for (Value v : values) {
      try {
        setter.accept(v);
      } catch (IllegalArgumentException e) {
        throw v.rename(e);
      }
    }
  }

  /** Builds a config, naming the settings that do not fit together if its builder refuses. */
  private static <C> C build(Supplier<C> build, Kind kind, String configName, List<Value> values) {
    try {
      return build.get();
    } catch (IllegalArgumentException e) {
      throw misfit(kind, configName, values, e);
    }
  }

  static CircuitBreakerConfig applyBreaker(
      CircuitBreakerConfig base, List<Value> values, String configName) {
    CircuitBreakerConfig.Builder b = base.toBuilder();
    setEach(
        values,
        v -> {
          switch (v.key()) {
            case BREAKER_FAILURE_THRESHOLD:
              b.consecutiveFailures(v.intValue());
              break;
            case BREAKER_FAILURE_RATE:
              b.failureRateThreshold((float) v.decimal());
              break;
            case BREAKER_SLOW_CALL_DURATION:
              b.slowCallDuration(v.duration());
              break;
            case BREAKER_SLOW_CALL_RATE:
              b.slowCallRateThreshold((float) v.decimal());
              break;
            case BREAKER_WINDOW_SIZE:
              b.windowSize(v.intValue());
              break;
            case BREAKER_MINIMUM_CALLS:
              b.minimumCalls(v.intValue());
              break;
            case BREAKER_OPEN_DURATION:
              b.openDuration(v.duration());
              break;
            case BREAKER_OPEN_DURATION_MULTIPLIER:
              b.openDurationMultiplier(v.decimal());
              break;
            case BREAKER_MAX_OPEN_DURATION:
              b.maxOpenDuration(v.duration());
              break;
            case BREAKER_HALF_OPEN_MAX_CALLS:
              b.halfOpenMaxCalls(v.intValue());
              break;
            case BREAKER_SUCCESS_THRESHOLD:
              b.successThreshold(v.intValue());
              break;
            default:
              throw new AssertionError(v.key());
          }
        });
    return build(b::build, Kind.BREAKER, configName, values);
  }

  static RetryConfig applyRetry(RetryConfig base, List<Value> values, String configName) {
    RetryConfig.Builder b = base.toBuilder();
    Backoff backoff = base.backoff();
    Duration initial = null;
    Duration max = null;
    Double multiplier = null;
    Backoff.Jitter jitter = null;
    for (Value v : values) {
      try {
        switch (v.key()) {
          case RETRY_MAX_ATTEMPTS:
            b.maxAttempts(v.intValue());
            break;
          case RETRY_MAX_DURATION:
            b.maxDuration(v.duration());
            break;
          case RETRY_ATTEMPT_TIMEOUT:
            b.attemptTimeout(v.duration());
            break;
          case RETRY_INITIAL_DELAY:
            initial = v.duration();
            break;
          case RETRY_MAX_DELAY:
            max = v.duration();
            break;
          case RETRY_MULTIPLIER:
            multiplier = v.decimal();
            break;
          case RETRY_JITTER:
            jitter = (Backoff.Jitter) v.value();
            break;
          default:
            throw new AssertionError(v.key());
        }
      } catch (IllegalArgumentException e) {
        throw v.rename(e);
      }
    }
    if (initial != null || max != null || multiplier != null || jitter != null) {
      Duration newInitial = initial != null ? initial : backoff.initial();
      Duration newMax = max;
      if (newMax == null) {
        newMax = backoff.max().compareTo(newInitial) < 0 ? newInitial : backoff.max();
      }
      double newMultiplier = multiplier != null ? multiplier : backoff.multiplier();
      try {
        b.backoff(
            Backoff.exponential(newInitial, newMultiplier, newMax)
                .withJitter(jitter != null ? jitter : backoff.jitter()));
      } catch (IllegalArgumentException e) {
        throw misfit(Kind.RETRY, configName, values, e);
      }
    }
    return build(b::build, Kind.RETRY, configName, values);
  }

  static RateLimiterConfig applyRateLimiter(
      RateLimiterConfig base, List<Value> values, String configName) {
    RateLimiterConfig.Builder b = base.toBuilder();
    setEach(
        values,
        v -> {
          switch (v.key()) {
            case RATE_LIMITER_LIMIT:
              b.limit(v.intValue());
              break;
            case RATE_LIMITER_PERIOD:
              b.period(v.duration());
              break;
            case RATE_LIMITER_BURST:
              b.burst(v.intValue());
              break;
            case RATE_LIMITER_MAX_WAIT:
              b.maxWait(v.duration());
              break;
            case RATE_LIMITER_ALGORITHM:
              b.algorithm((RateLimiterConfig.Algorithm) v.value());
              break;
            default:
              throw new AssertionError(v.key());
          }
        });
    return build(b::build, Kind.RATE_LIMITER, configName, values);
  }

  static BulkheadConfig applyBulkhead(BulkheadConfig base, List<Value> values, String configName) {
    BulkheadConfig.Builder b = base.toBuilder();
    setEach(
        values,
        v -> {
          switch (v.key()) {
            case BULKHEAD_MAX_CONCURRENT_CALLS:
              b.maxConcurrentCalls(v.intValue());
              break;
            case BULKHEAD_MAX_WAIT:
              b.maxWait(v.duration());
              break;
            default:
              throw new AssertionError(v.key());
          }
        });
    return build(b::build, Kind.BULKHEAD, configName, values);
  }

  static TimeoutConfig applyTimeout(TimeoutConfig base, List<Value> values, String configName) {
    TimeoutConfig.Builder b = base.toBuilder();
    setEach(
        values,
        v -> {
          switch (v.key()) {
            case TIMEOUT_DURATION:
              b.timeout(v.duration());
              break;
            case TIMEOUT_CANCEL_RUNNING_FUTURE:
              b.cancelRunningFuture((Boolean) v.value());
              break;
            default:
              throw new AssertionError(v.key());
          }
        });
    return build(b::build, Kind.TIMEOUT, configName, values);
  }

  /**
   * Whether {@code given} names the config whose normalized name is {@code normalized}: {@code
   * normalize(given).equals(normalized)}, without allocating.
   */
  static boolean sameName(String given, String normalized) {
    if (given.length() != normalized.length()) {
      return false;
    }
    for (int i = 0; i < given.length(); i++) {
      char c = given.charAt(i);
      char n;
      if (c >= 'a' && c <= 'z') {
        n = (char) (c - 'a' + 'A');
      } else if ((c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')) {
        n = c;
      } else {
        n = '_';
      }
      if (n != normalized.charAt(i)) {
        return false;
      }
    }
    return true;
  }

  /**
   * A failure of values that do not fit together: named after the setting the message is about when
   * it was set here, else after the config and every setting applied to it.
   */
  static IllegalArgumentException misfit(
      Kind kind, String configName, List<Value> values, IllegalArgumentException e) {
    for (Value v : values) {
      if (v.explains(e)) {
        return v.rename(e);
      }
    }
    StringBuilder set = new StringBuilder();
    for (Value v : values) {
      set.append(set.length() == 0 ? "" : ", ").append(v.source()).append("=").append(v.text());
    }
    return new IllegalArgumentException(
        kind.label + " config '" + configName + "' with " + set + ": " + e.getMessage(), e);
  }
}
