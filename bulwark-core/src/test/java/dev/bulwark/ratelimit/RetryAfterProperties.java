package dev.bulwark.ratelimit;

import static org.assertj.core.api.Assertions.assertThat;

import dev.bulwark.test.ManualClock;
import java.math.BigInteger;
import java.time.Duration;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.LongRange;
import net.jqwik.api.constraints.Positive;

class RetryAfterProperties {
  private final ManualClock clock = ManualClock.nearOverflow();

  private RetryAfter reader(long defaultSeconds, long capSeconds) {
    return RetryAfter.of(
        RetryAfterConfig.builder()
            .maxDelay(Duration.ofSeconds(capSeconds))
            .defaultDelay(Duration.ofSeconds(Math.min(defaultSeconds, capSeconds)))
            .build(),
        clock);
  }

  @Property
  void anyHeaderGivesADelayWithinTheCapAndNeverThrows(
      @ForAll String header,
      @ForAll @LongRange(min = 0, max = 600) long defaultSeconds,
      @ForAll @LongRange(min = 1, max = 600) long capSeconds,
      @ForAll int status) {
    RetryAfter reader = reader(defaultSeconds, capSeconds);

    assertThat(reader.parse(header)).isBetween(Duration.ZERO, Duration.ofSeconds(capSeconds));
    reader
        .forResponse(status, header)
        .ifPresent(d -> assertThat(d).isBetween(Duration.ZERO, Duration.ofSeconds(capSeconds)));
  }

  @Property
  void anyHeaderMadeOfDatePiecesGivesADelayWithinTheCapAndNeverThrows(
      @ForAll("datelike") String header, @ForAll @LongRange(min = 1, max = 400) long capSeconds) {
    RetryAfter reader = reader(30, capSeconds);

    assertThat(reader.parse(header)).isBetween(Duration.ZERO, Duration.ofSeconds(capSeconds));
  }

  @Property
  void anyNonNegativeNumberOfSecondsIsReadAndCapped(
      @ForAll @Positive BigInteger seconds, @ForAll @LongRange(min = 1, max = 600) long cap) {
    RetryAfter reader = reader(30, cap);
    long expected = seconds.min(BigInteger.valueOf(cap)).longValueExact();

    assertThat(reader.parse(seconds.toString())).isEqualTo(Duration.ofSeconds(expected));
  }

  @Property
  void aPastDateMeansNowHoweverFarBack(
      @ForAll @LongRange(min = 1, max = 4_000_000_000L) long secondsAgo,
      @ForAll("whitespace") String before,
      @ForAll("whitespace") String after) {
    RetryAfter reader = reader(30, 300);
    java.time.Instant past = clock.wallTime().minusSeconds(secondsAgo);
    String date =
        java.time.format.DateTimeFormatter.RFC_1123_DATE_TIME
            .withZone(java.time.ZoneOffset.UTC)
            .format(past);
    if (date.charAt(6) == ' ') { // RFC_1123 writes day 1 as "1"; IMF-fixdate wants "01"
      date = date.substring(0, 5) + "0" + date.substring(5);
    }

    assertThat(reader.parse(before + date + after)).as(date).isZero();
  }

  @Property
  void whitespaceAroundANumberOfSecondsChangesNothing(
      @ForAll @LongRange(min = 0, max = 600) long seconds,
      @ForAll("whitespace") String before,
      @ForAll("whitespace") String after) {
    RetryAfter reader = reader(30, 600);

    assertThat(reader.parse(before + seconds + after)).isEqualTo(Duration.ofSeconds(seconds));
  }

  @Provide
  Arbitrary<String> whitespace() {
    return Arbitraries.strings().withChars(' ', '\t', '\r', '\n').ofMaxLength(4);
  }

  @Provide
  Arbitrary<String> datelike() {
    List<String> pieces =
        List.of(
            "Thu",
            "Thursday",
            "Sun",
            "Jan",
            "Nov",
            "Feb",
            ",",
            " ",
            "  ",
            "-",
            ":",
            "GMT",
            "01",
            "1",
            "06",
            "31",
            "29",
            "94",
            "26",
            "2026",
            "1994",
            "9999",
            "00",
            "08:49:37",
            "23:59:60",
            "24:00:00",
            "\t",
            "x",
            "");
    return Arbitraries.of(pieces).list().ofMaxSize(12).map(p -> String.join("", p));
  }
}
