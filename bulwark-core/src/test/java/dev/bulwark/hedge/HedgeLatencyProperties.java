package dev.bulwark.hedge;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Arrays;
import java.util.List;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.DoubleRange;
import net.jqwik.api.constraints.LongRange;
import net.jqwik.api.constraints.Size;

/** The latency histogram's percentile is within 1/32 of the exact one, whatever was recorded. */
class HedgeLatencyProperties {
  private static final long WINDOW_NANOS = 10_000_000_000L;

  @Property
  void thePercentileIsWithinAThirtySecondOfTheExactNearestRank(
      @ForAll @Size(min = 1, max = 400)
          List<@LongRange(min = 0, max = LatencyHistogram.MAX_TRACKED_NANOS) Long> latencies,
      @ForAll @DoubleRange(min = 0, max = 100, minIncluded = false, maxIncluded = false)
          double percentile,
      @ForAll long originNanos) {
    LatencyHistogram histogram = new LatencyHistogram(originNanos, WINDOW_NANOS);
    long now = originNanos + WINDOW_NANOS / 2; // may wrap past Long.MAX_VALUE, as nanoTime may
    latencies.forEach(latency -> histogram.record(latency, now));

    long reported = histogram.percentile(percentile, now);

    long exact = exactPercentile(latencies, percentile);
    assertThat(Math.abs(reported - exact)).isLessThanOrEqualTo(exact / 32);
    assertThat(histogram.samples(now)).isEqualTo(latencies.size());
  }

  @Property
  void realisticLatenciesSpreadOverTwoWindowsAllCount(
      @ForAll @Size(min = 1, max = 400)
          List<@LongRange(min = 100_000, max = 5_000_000_000L) Long> latencies,
      @ForAll @DoubleRange(min = 50, max = 99.9) double percentile) {
    LatencyHistogram histogram = new LatencyHistogram(0, WINDOW_NANOS);
    for (int i = 0; i < latencies.size(); i++) { // half in the previous window, half in this one
      histogram.record(latencies.get(i), i % 2 == 0 ? WINDOW_NANOS - 1 : WINDOW_NANOS);
    }

    long reported = histogram.percentile(percentile, WINDOW_NANOS);

    long exact = exactPercentile(latencies, percentile);
    assertThat(Math.abs(reported - exact)).isLessThanOrEqualTo(exact / 32);
  }

  @Example
  void latenciesAtOrAboveTheTrackedRangeCountAsTheLargestBucket() {
    LatencyHistogram histogram = new LatencyHistogram(0, WINDOW_NANOS);

    histogram.record(Long.MAX_VALUE, 0);
    histogram.record(-5, 0); // a clock that stepped back cannot break the histogram

    assertThat(histogram.percentile(99, 0))
        .isEqualTo(LatencyHistogram.middle(LatencyHistogram.BUCKETS - 1));
    assertThat(histogram.percentile(1, 0)).isZero();
  }

  @Example
  void anEmptyHistogramHasNoPercentile() {
    assertThat(new LatencyHistogram(0, WINDOW_NANOS).percentile(95, 0)).isEqualTo(-1);
  }

  @Example
  void aWindowStartedAfreshForgetsItsOldCounts() {
    LatencyHistogram histogram = new LatencyHistogram(0, WINDOW_NANOS);
    histogram.record(10, 0); // window 0, half 0 (latencies below 32 ns are exact)
    histogram.record(20, 2 * WINDOW_NANOS); // window 2 reuses half 0

    assertThat(histogram.samples(2 * WINDOW_NANOS)).isEqualTo(1);
    assertThat(histogram.percentile(50, 2 * WINDOW_NANOS)).isEqualTo(20);
  }

  /** The smallest latency with at least {@code percentile}% of them at or below it. */
  private static long exactPercentile(List<Long> latencies, double percentile) {
    long[] sorted = latencies.stream().mapToLong(Long::longValue).sorted().toArray();
    long rank = LatencyHistogram.rank(percentile, sorted.length);
    return sorted[(int) rank - 1];
  }

  @Example
  void theRankIsTheNearestRankClampedToTheSamples() {
    assertThat(LatencyHistogram.rank(95, 20)).isEqualTo(19);
    assertThat(LatencyHistogram.rank(95, 21)).isEqualTo(20);
    assertThat(LatencyHistogram.rank(0.001, 10)).isEqualTo(1);
    assertThat(LatencyHistogram.rank(99.999, 10)).isEqualTo(10);
    assertThat(Arrays.asList(LatencyHistogram.bucket(31), LatencyHistogram.bucket(32)))
        .containsExactly(31, 32);
  }
}
