package dev.bulwark.retry;

import static org.assertj.core.api.Assertions.assertThat;

import dev.bulwark.retry.RetryBudget.Snapshot;
import dev.bulwark.test.ManualClock;
import java.math.BigInteger;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.DoubleRange;
import net.jqwik.api.constraints.LongRange;
import net.jqwik.api.constraints.Size;

/**
 * The budget against a model that keeps every call and retry with its time: for arbitrary sequences
 * of calls, retries and time steps, each grant keeps the documented inequality over the window
 * ending at it, and the budget grants exactly when the model says it may.
 */
class RetryBudgetProperties {
  private static final long MICROS = 1_000_000;

  /** One call or granted retry, at {@code nanos} after the budget was created. */
  private record Event(long nanos, boolean retry) {}

  /**
   * Each step is a call (step % 4 == 1), a retry asked for (2 or 3), or time moving on by step % 3
   * s (0).
   */
  @Property(tries = 500)
  void grantsExactlyWhileRetriesStayWithinTheShareOfCallsPlusTheReserve(
      @ForAll @DoubleRange(min = 0.0, max = 5.0) double ratio,
      @ForAll @DoubleRange(min = 0.0, max = 3.0) double minRetriesPerSecond,
      @ForAll @LongRange(min = 1_000, max = 30_000) long windowMillis,
      @ForAll @Size(max = 400) List<@LongRange(min = 0, max = 4_000_000_000L) Long> steps) {
    ManualClock clock = ManualClock.nearOverflow(); // crosses Long.MAX_VALUE on the way
    RetryBudgetConfig config =
        RetryBudgetConfig.builder()
            .ratio(ratio)
            .minRetriesPerSecond(minRetriesPerSecond)
            .window(Duration.ofMillis(windowMillis))
            .build();
    RetryBudget budget = RetryBudget.of(config, clock);
    long windowNanos = Duration.ofMillis(windowMillis).toNanos();
    long bucketNanos = windowNanos / 10;
    long ratioMicros = Math.round(ratio * MICROS); // the documented rounding: to a millionth
    long reserve = (long) Math.floor(minRetriesPerSecond * (windowNanos / 1e9));
    List<Event> events = new ArrayList<>();
    long now = 0;

    for (long step : steps) {
      switch ((int) (step % 4)) {
        case 0 -> {
          long advance = step % 3_000_000_000L;
          clock.advanceNanos(advance);
          now += advance;
        }
        case 1 -> {
          budget.deposit();
          events.add(new Event(now, false));
        }
        default -> {
          long from = (now / bucketNanos - 9) * bucketNanos; // the 10 buckets ending now
          long calls = count(events, from, false);
          long retries = count(events, from, true);
          BigInteger share =
              BigInteger.valueOf(calls)
                  .multiply(BigInteger.valueOf(ratioMicros))
                  .divide(BigInteger.valueOf(MICROS));
          boolean modelGrants =
              BigInteger.valueOf(retries + 1).compareTo(share.add(BigInteger.valueOf(reserve)))
                  <= 0;

          boolean granted = budget.tryWithdraw();

          assertThat(granted).as("calls %d, retries %d", calls, retries).isEqualTo(modelGrants);
          if (granted) {
            events.add(new Event(now, true));
          }
        }
      }
      Snapshot snapshot = budget.snapshot();
      assertThat(snapshot.calls()).isNotNegative();
      assertThat(snapshot.retries()).isNotNegative();
      assertThat(snapshot.availableRetries()).isNotNegative();
    }
  }

  private static long count(List<Event> events, long fromNanos, boolean retries) {
    return events.stream().filter(e -> e.retry() == retries && e.nanos() >= fromNanos).count();
  }

  @Property
  void theAllowanceNeverOverflowsAndIsExact(
      @ForAll @LongRange(min = 0, max = 10 * 0xFFFF_FFFFL) long calls,
      @ForAll @LongRange(min = 0, max = 1_000_000_000L) long ratioMicros,
      @ForAll @LongRange(min = 0, max = 3_600_000_000L) long reserve) {
    long whole = ratioMicros / MICROS;
    long micros = ratioMicros % MICROS;

    long allowance = BucketedRetryBudget.allowance(calls, whole, micros, reserve);

    BigInteger exact =
        BigInteger.valueOf(calls)
            .multiply(BigInteger.valueOf(ratioMicros))
            .divide(BigInteger.valueOf(MICROS))
            .add(BigInteger.valueOf(reserve));
    assertThat(BigInteger.valueOf(allowance)).isEqualTo(exact);
  }
}
