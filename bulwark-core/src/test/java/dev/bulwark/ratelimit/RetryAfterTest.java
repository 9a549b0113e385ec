package dev.bulwark.ratelimit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.bulwark.test.ManualClock;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.NullAndEmptySource;
import org.junit.jupiter.params.provider.ValueSource;

class RetryAfterTest {
  // Thursday 2026-01-01T00:00:00Z, the manual clock's default wall time.
  private final ManualClock clock = ManualClock.nearOverflow();
  private final RetryAfter retryAfter = RetryAfter.of(RetryAfterConfig.ofDefaults(), clock);
  private static final Duration DEFAULT = Duration.ofSeconds(30);
  private static final Duration CAP = Duration.ofSeconds(300);

  @ParameterizedTest
  @CsvSource(
      delimiter = '|',
      value = {
        "0|0", "1|1", "120|120", "300|300", "007|7",
      })
  void readsDelaySeconds(String header, long seconds) {
    assertThat(retryAfter.parse(header)).isEqualTo(Duration.ofSeconds(seconds));
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "301",
        "86400",
        "9223372036854775807",
        "9223372036854775808",
        "99999999999999999999999999999999999999"
      })
  void capsLargeDelaysAndSaturatesHugeOnesInsteadOfOverflowing(String header) {
    assertThat(retryAfter.parse(header)).isEqualTo(CAP);
  }

  @ParameterizedTest
  @ValueSource(
      strings = {" 120", "120 ", "\t120\t", " \t 120 \t ", "120\r\n", "\r\n120\r", "\n 120\n"})
  void ignoresWhitespaceAndLineBreaksAroundTheValue(String header) {
    assertThat(retryAfter.parse(header)).isEqualTo(Duration.ofSeconds(120));
  }

  @ParameterizedTest
  @CsvSource(
      delimiter = '|',
      value = {
        "Thu, 01 Jan 2026 00:02:00 GMT|120", // IMF-fixdate
        "Thursday, 01-Jan-26 00:02:00 GMT|120", // RFC 850
        "Thu Jan  1 00:02:00 2026|120", // asctime, one-digit day
        "Thu Jan 01 00:02:00 2026|120", // asctime, two-digit day
        "Thu, 01 Jan 2026 00:01:60 GMT|120", // a leap second
        "Thu, 01 Jan 2026 00:00:00 GMT|0", // now
        "Sat, 03 Jan 2026 00:00:00 GMT|300", // capped
        "Fri, 31 Dec 9999 23:59:59 GMT|300", // capped, no overflow
        "Mon, 01 Jan 2026 00:02:00 GMT|120", // a wrong day name is not checked against the date
      })
  void readsHttpDatesInAllThreeFormatsAgainstTheWallClock(String header, long seconds) {
    assertThat(retryAfter.parse(header)).isEqualTo(Duration.ofSeconds(seconds));
  }

  @Test
  void measuresADateFromTheWallClocksExactTime() {
    clock.advance(Duration.ofMillis(250));
    assertThat(retryAfter.parse("Thu, 01 Jan 2026 00:00:10 GMT"))
        .isEqualTo(Duration.ofMillis(9750));
    assertThat(retryAfter.parse("Thu, 01 Jan 2026 00:00:00 GMT")).isZero(); // this very second
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "Wed, 31 Dec 2025 23:59:59 GMT",
        "Sun, 06 Nov 1994 08:49:37 GMT", // RFC 9110's examples: all long past
        "Sunday, 06-Nov-94 08:49:37 GMT",
        "Sun Nov  6 08:49:37 1994",
      })
  void datesInThePastMeanNow(String header) {
    assertThat(retryAfter.parse(header)).isZero();
  }

  @Test
  void aDateASecondBehindOurClockMeansNowNotTheDefault() {
    clock.advance(Duration.ofMillis(1_400)); // the server's clock is 1.4 s behind ours
    assertThat(retryAfter.parse("Thu, 01 Jan 2026 00:00:00 GMT")).isZero();
    assertThat(retryAfter.parse("Thu, 01 Jan 2026 00:00:00 GMT\r\n")).isZero();
  }

  @ParameterizedTest
  @ValueSource(strings = {"1 2", "12\r\n3", "\r\n", "-1", "-0"})
  void whitespaceInsideTheValueOrANegativeNumberStillGivesTheDefault(String header) {
    assertThat(retryAfter.parse(header)).isEqualTo(DEFAULT);
  }

  @Test
  void readsATwoDigitYearAsTheYearWithinFiftyYearsOfNow() {
    // From 2026: "76" is 2076 (50 years ahead, so in the future and capped); "77" would be more
    // than 50 years ahead, so it is 1977 (past, so now).
    assertThat(retryAfter.parse("Friday, 01-Jan-76 00:00:00 GMT")).isEqualTo(CAP);
    assertThat(retryAfter.parse("Friday, 01-Jan-77 00:00:00 GMT")).isZero();
    assertThat(RetryAfter.fullYear(94, Instant.parse("2026-06-01T00:00:00Z"))).isEqualTo(1994);
    assertThat(RetryAfter.fullYear(26, Instant.parse("2026-06-01T00:00:00Z"))).isEqualTo(2026);
    assertThat(RetryAfter.fullYear(10, Instant.parse("2090-06-01T00:00:00Z"))).isEqualTo(2110);
    assertThat(RetryAfter.fullYear(40, Instant.parse("2090-06-01T00:00:00Z"))).isEqualTo(2140);
    assertThat(RetryAfter.fullYear(41, Instant.parse("2090-06-01T00:00:00Z"))).isEqualTo(2041);
  }

  @ParameterizedTest
  @NullAndEmptySource
  @ValueSource(
      strings = {
        " ",
        "\t",
        "-1",
        "-120",
        "+120",
        "1.5",
        "12a",
        "1 20",
        "0x10",
        "\u0663", // ARABIC-INDIC DIGIT THREE: a digit to Java, not to HTTP
        "soon",
        "Thu, 01 Jan 2026 00:02:00 UTC",
        "thu, 01 Jan 2026 00:02:00 GMT",
        "Thu, 01 jan 2026 00:02:00 GMT",
        "Thu, 1 Jan 2026 00:02:00 GMT",
        "Thu, 01 Jan 2026 24:00:00 GMT",
        "Thu, 01 Jan 2026 00:60:00 GMT",
        "Thu, 01 Jan 2026 00:00:61 GMT",
        "Thu, 31 Feb 2026 00:00:00 GMT",
        "Thu, 01 Jan 2026 00-02-00 GMT",
        "Thu,  01 Jan 2026 00:02:00 GMT",
        "Thursday, 01-Jan-2026 00:02:00 GMT",
        "Thurs, 01-Jan-26 00:02:00 GMT",
        "Thu Jan  1 00:02:00 2026 GMT",
        "Thu Jan 1 00:02:00 2026",
        "2026-01-01T00:02:00Z",
        ",",
        ",,,,",
      })
  void garbageGivesTheDefaultDelayAndNeverThrows(String header) {
    assertThat(retryAfter.parse(header)).isEqualTo(DEFAULT);
  }

  @ParameterizedTest
  @ValueSource(ints = {429, 503})
  void answersForTooManyRequestsAndServiceUnavailable(int status) {
    assertThat(retryAfter.forResponse(status, "5")).contains(Duration.ofSeconds(5));
    assertThat(retryAfter.forResponse(status, null)).contains(DEFAULT);
    assertThat(retryAfter.forResponse(status, "later")).contains(DEFAULT);
  }

  @ParameterizedTest
  @ValueSource(ints = {0, 200, 301, 400, 404, 428, 430, 500, 502, 504, -1})
  void answersNothingForAnyOtherStatus(int status) {
    assertThat(retryAfter.forResponse(status, "5")).isEmpty();
  }

  @Test
  void notRespectingTheHeaderAlwaysGivesTheDefault() {
    RetryAfter deaf =
        RetryAfter.of(
            RetryAfterConfig.builder()
                .respectRetryAfter(false)
                .defaultDelay(Duration.ofSeconds(2))
                .build(),
            clock);
    assertThat(deaf.parse("120")).isEqualTo(Duration.ofSeconds(2));
    assertThat(deaf.parse("Thu, 01 Jan 2026 00:02:00 GMT")).isEqualTo(Duration.ofSeconds(2));
    assertThat(deaf.forResponse(429, "0")).contains(Duration.ofSeconds(2));
  }

  @Test
  void aConfiguredCapAndDefaultAreUsed() {
    RetryAfter strict =
        RetryAfter.of(
            RetryAfterConfig.builder()
                .defaultDelay(Duration.ofSeconds(1))
                .maxDelay(Duration.ofSeconds(10))
                .build(),
            clock);
    assertThat(strict.parse("11")).isEqualTo(Duration.ofSeconds(10));
    assertThat(strict.parse("nope")).isEqualTo(Duration.ofSeconds(1));
    assertThat(strict.config().maxDelay()).isEqualTo(Duration.ofSeconds(10));
  }

  @Test
  void theDefaultsAreThirtySecondsCappedAtFiveMinutes() {
    RetryAfterConfig config = RetryAfter.ofDefaults().config();
    assertThat(config.defaultDelay()).isEqualTo(Duration.ofSeconds(30));
    assertThat(config.maxDelay()).isEqualTo(Duration.ofSeconds(300));
    assertThat(config.respectRetryAfter()).isTrue();
    assertThat(config.toBuilder().build()).hasToString(config.toString());
  }

  @Test
  void theConfigNamesTheFieldTheRangeAndTheValue() {
    assertThatThrownBy(() -> RetryAfterConfig.builder().defaultDelay(Duration.ofSeconds(-1)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("defaultDelay must be in [0, PT8760H], was PT-1S");
    assertThatThrownBy(() -> RetryAfterConfig.builder().maxDelay(Duration.ZERO))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("maxDelay must be in (0, PT8760H], was PT0S");
    assertThatThrownBy(
            () ->
                RetryAfterConfig.builder()
                    .maxDelay(Duration.ofSeconds(10))
                    .defaultDelay(Duration.ofSeconds(11))
                    .build())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("defaultDelay must be in [PT0S, PT10S] (maxDelay), was PT11S");
    assertThatThrownBy(() -> RetryAfter.of(null, clock))
        .isInstanceOf(NullPointerException.class)
        .hasMessage("config must not be null");
  }
}
