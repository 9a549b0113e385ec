package dev.bulwark.ratelimit;

import dev.bulwark.internal.Check;
import dev.bulwark.time.Clock;
import java.time.DateTimeException;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.Optional;

/**
 * Reads a server's {@code Retry-After} header (RFC 9110 §10.2.3) into how long to wait, safely: a
 * missing or malformed header, or a negative number, gives {@link RetryAfterConfig#defaultDelay()};
 * a date in the past gives zero (the server's clock runs a little ahead of ours, or the date has
 * come: either way the server means "now"); and no value, however large, gives more than {@link
 * RetryAfterConfig#maxDelay()}. It never throws on what a server sends.
 *
 * <p>Both forms of the header are understood: delay-seconds ({@code 120}; a number too large for a
 * {@code long} saturates) and HTTP-date, in the preferred IMF-fixdate form ({@code Sun, 06 Nov 1994
 * 08:49:37 GMT}) and the two obsolete forms recipients must accept, RFC 850 ({@code Sunday,
 * 06-Nov-94 08:49:37 GMT}, its two-digit year read as the year within 50 years of now, as RFC 9110
 * §5.6.7 asks) and asctime ({@code Sun Nov 6 08:49:37 1994}). Dates are measured against the
 * clock's wall time. Leading and trailing whitespace (spaces, tabs, and the CR and LF a sloppy
 * header parser may leave) is ignored; anything else must match the grammar exactly, names and
 * {@code GMT} included (HTTP-date is case-sensitive).
 *
 * {@snippet :
 * RetryAfter retryAfter = RetryAfter.ofDefaults();
 * Optional<Duration> wait = retryAfter.forResponse(429, "120"); // Optional[PT2M]
 * Duration capped = retryAfter.parse("86400"); // PT5M: no server parks us for a day
 * }
 *
 * <p>Immutable; thread-safe.
 */
public final class RetryAfter {
  private static final String[] DAYS = {"Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"};
  private static final String[] LONG_DAYS = {
    "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"
  };
  private static final String[] MONTHS = {
    "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"
  };
  private static final long INVALID = Long.MIN_VALUE;
  private static final long MAX_SECONDS = Check.MAX_DURATION.getSeconds();
  private static final RetryAfter DEFAULTS =
      new RetryAfter(RetryAfterConfig.ofDefaults(), Clock.system());

  private final RetryAfterConfig config;
  private final Clock clock;
  private final long defaultNanos;
  private final long maxNanos;

  private RetryAfter(RetryAfterConfig config, Clock clock) {
    this.config = config;
    this.clock = clock;
    this.defaultNanos = config.defaultDelay().toNanos();
    this.maxNanos = config.maxDelay().toNanos();
  }

  /**
   * A reader with {@code config} that measures HTTP dates against {@code clock}'s wall time.
   *
   * @throws NullPointerException if an argument is null
   */
  public static RetryAfter of(RetryAfterConfig config, Clock clock) {
    return new RetryAfter(Check.notNull("config", config), Check.notNull("clock", clock));
  }

  /**
   * A reader with {@code config} on the system clock.
   *
   * @throws NullPointerException if {@code config} is null
   */
  public static RetryAfter of(RetryAfterConfig config) {
    return of(config, Clock.system());
  }

  /** A reader with {@link RetryAfterConfig#ofDefaults()} on the system clock. */
  public static RetryAfter ofDefaults() {
    return DEFAULTS;
  }

  /** The configuration of this reader. */
  public RetryAfterConfig config() {
    return config;
  }

  /**
   * How long to wait before calling again after a response with {@code status} and {@code
   * headerValue} as its {@code Retry-After} header: the parsed delay for 429 (Too Many Requests)
   * and 503 (Service Unavailable), empty for any other status.
   *
   * @param headerValue the header's value, or null if the response had none
   * @return the delay for a 429 or 503, in [0, maxDelay]; otherwise empty
   */
  public Optional<Duration> forResponse(int status, String headerValue) {
    if (status != 429 && status != 503) {
      return Optional.empty();
    }
    return Optional.of(parse(headerValue));
  }

  /**
   * How long a {@code Retry-After} header value asks us to wait, in [0, maxDelay]: zero for a date
   * in the past; the default delay if the value is null, empty, malformed or negative, or if the
   * header is not respected. Never throws.
   */
  public Duration parse(String headerValue) {
    return Duration.ofNanos(parseNanos(headerValue));
  }

  /** {@link #parse} in nanoseconds. */
  long parseNanos(String headerValue) {
    if (!config.respectRetryAfter() || headerValue == null) {
      return defaultNanos;
    }
    int start = 0;
    int end = headerValue.length();
    while (start < end && isOws(headerValue.charAt(start))) {
      start++;
    }
    while (end > start && isOws(headerValue.charAt(end - 1))) {
      end--;
    }
    if (start == end) {
      return defaultNanos;
    }
    String value = headerValue.substring(start, end);
    long nanos = isDigit(value.charAt(0)) ? delaySecondsNanos(value) : dateNanos(value);
    if (nanos == INVALID || nanos < 0) {
      return defaultNanos;
    }
    return Math.min(nanos, maxNanos);
  }

  /** delay-seconds = 1*DIGIT, saturating at 365 days (above any cap); INVALID if not digits. */
  private static long delaySecondsNanos(String value) {
    long seconds = 0;
    for (int i = 0; i < value.length(); i++) {
      char c = value.charAt(i);
      if (!isDigit(c)) {
        return INVALID;
      }
      if (seconds <= MAX_SECONDS) { // beyond this the cap decides, so stop before overflowing
        seconds = seconds * 10 + (c - '0');
      }
    }
    return Math.min(seconds, MAX_SECONDS) * 1_000_000_000L;
  }

  /** An HTTP-date's distance from now, zero if past; INVALID if not an HTTP-date. */
  private long dateNanos(String value) {
    Instant now = clock.wallTime();
    long epochSecond = epochSecond(value, now);
    if (epochSecond == INVALID) {
      return INVALID;
    }
    long nowSecond = now.getEpochSecond();
    if (epochSecond < nowSecond) {
      return 0; // in the past, by a little clock skew or a long while: the server means now
    }
    long seconds = epochSecond - nowSecond;
    if (seconds > MAX_SECONDS) {
      return Long.MAX_VALUE; // capped by the caller
    }
    return Math.max(0, seconds * 1_000_000_000L - now.getNano());
  }

  private static long epochSecond(String v, Instant now) {
    int comma = v.indexOf(',');
    if (comma == 3 && v.length() == 29) {
      return imfFixdate(v);
    }
    if (comma > 3) {
      return rfc850(v, comma, now);
    }
    if (comma < 0 && v.length() == 24) {
      return asctime(v);
    }
    return INVALID;
  }

  /** {@code Sun, 06 Nov 1994 08:49:37 GMT}. */
  private static long imfFixdate(String v) {
    if (indexOf(DAYS, v, 0, 3) < 0 || !matches(v, 3, ", ") || v.charAt(7) != ' ') {
      return INVALID;
    }
    int day = digits(v, 5, 2);
    int month = indexOf(MONTHS, v, 8, 3) + 1;
    if (v.charAt(11) != ' ' || v.charAt(16) != ' ' || !matches(v, 25, " GMT")) {
      return INVALID;
    }
    int year = digits(v, 12, 4);
    return toEpochSecond(year, month, day, v, 17);
  }

  /** {@code Sunday, 06-Nov-94 08:49:37 GMT}. */
  private static long rfc850(String v, int comma, Instant now) {
    if (indexOf(LONG_DAYS, v, 0, comma) < 0 || v.length() != comma + 24) {
      return INVALID;
    }
    int p = comma + 1;
    if (v.charAt(p) != ' ' || v.charAt(p + 3) != '-' || v.charAt(p + 7) != '-') {
      return INVALID;
    }
    if (v.charAt(p + 10) != ' ' || !matches(v, p + 19, " GMT")) {
      return INVALID;
    }
    int day = digits(v, p + 1, 2);
    int month = indexOf(MONTHS, v, p + 4, 3) + 1;
    int twoDigitYear = digits(v, p + 8, 2);
    if (twoDigitYear < 0) {
      return INVALID;
    }
    return toEpochSecond(fullYear(twoDigitYear, now), month, day, v, p + 11);
  }

  /**
   * RFC 9110 §5.6.7: a two-digit year more than 50 years in the future is the most recent past year
   * with those digits. Read symmetrically: the year within (now - 50, now + 50].
   */
  static int fullYear(int twoDigitYear, Instant now) {
    int nowYear = LocalDate.ofInstant(now, ZoneOffset.UTC).getYear();
    int year = nowYear - Math.floorMod(nowYear, 100) + twoDigitYear;
    if (year > nowYear + 50) {
      year -= 100;
    } else if (year <= nowYear - 50) {
      year += 100;
    }
    return year;
  }

  /** {@code Sun Nov 6 08:49:37 1994}: the day is two digits or a space and one digit. */
  private static long asctime(String v) {
    if (indexOf(DAYS, v, 0, 3) < 0 || v.charAt(3) != ' ' || v.charAt(7) != ' ') {
      return INVALID;
    }
    int month = indexOf(MONTHS, v, 4, 3) + 1;
    int day = v.charAt(8) == ' ' ? digits(v, 9, 1) : digits(v, 8, 2);
    if (v.charAt(10) != ' ' || v.charAt(19) != ' ') {
      return INVALID;
    }
    int year = digits(v, 20, 4);
    return toEpochSecond(year, month, day, v, 11);
  }

  /** Combines a date with the {@code HH:MM:SS} at {@code timeAt}; INVALID if any part is. */
  private static long toEpochSecond(int year, int month, int day, String v, int timeAt) {
    if (year < 0 || month < 1 || day < 1 || v.charAt(timeAt + 2) != ':') {
      return INVALID;
    }
    if (v.charAt(timeAt + 5) != ':') {
      return INVALID;
    }
    int hour = digits(v, timeAt, 2);
    int minute = digits(v, timeAt + 3, 2);
    int second = digits(v, timeAt + 6, 2);
    if (hour < 0 || hour > 23 || minute < 0 || minute > 59 || second < 0 || second > 60) {
      return INVALID; // second 60 is a leap second, allowed by RFC 9110
    }
    long epochDay;
    try {
      epochDay = LocalDate.of(year, month, day).toEpochDay();
    } catch (DateTimeException e) {
      return INVALID; // 31 Feb and the like
    }
    return epochDay * 86_400 + hour * 3_600L + minute * 60L + second;
  }

  /** The value of {@code count} ASCII digits at {@code at}, or -1 if any is not a digit. */
  private static int digits(String v, int at, int count) {
    int value = 0;
    for (int i = at; i < at + count; i++) {
      char c = v.charAt(i);
      if (!isDigit(c)) {
        return -1;
      }
      value = value * 10 + (c - '0');
    }
    return value;
  }

  /** Which of {@code names} occupies exactly [at, at + length) of {@code v}, or -1. */
  private static int indexOf(String[] names, String v, int at, int length) {
    for (int i = 0; i < names.length; i++) {
      if (names[i].length() == length && v.regionMatches(at, names[i], 0, length)) {
        return i;
      }
    }
    return -1;
  }

  private static boolean matches(String v, int at, String expected) {
    return v.regionMatches(at, expected, 0, expected.length());
  }

  private static boolean isDigit(char c) {
    return c >= '0' && c <= '9'; // not Character.isDigit: only ASCII digits are HTTP digits
  }

  /** Optional whitespace, and the CR and LF of a header line some servers leave in the value. */
  private static boolean isOws(char c) {
    return c == ' ' || c == '\t' || c == '\r' || c == '\n';
  }

  @Override
  public String toString() {
    return "RetryAfter[" + config + "]";
  }
}
