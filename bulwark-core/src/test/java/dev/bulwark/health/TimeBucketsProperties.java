package dev.bulwark.health;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.LongRange;
import net.jqwik.api.constraints.Size;

class TimeBucketsProperties {

  @Property
  void countsEveryEventYoungerThanTheWindowAndNoneATenthOlder(
      @ForAll @LongRange(min = 1, max = 3_600) long windowSeconds,
      @ForAll long origin,
      @ForAll @Size(max = 50) List<@LongRange(min = 0, max = 10_000_000) Long> gapsMillis) {
    long window = Duration.ofSeconds(windowSeconds).toNanos();
    long slice = (window + TimeBuckets.SLICES_PER_WINDOW - 1) / TimeBuckets.SLICES_PER_WINDOW;
    TimeBuckets buckets = new TimeBuckets(window, origin);
    long now = origin;
    long[] times = new long[gapsMillis.size()];
    for (int i = 0; i < times.length; i++) {
      now += gapsMillis.get(i) * 1_000_000L;
      times[i] = now;
      buckets.add(now);
    }

    long young = 0;
    long possible = 0;
    for (long t : times) {
      long age = now - t;
      if (age < window) {
        young++;
      }
      if (age < (TimeBuckets.SLICES_PER_WINDOW + 1) * slice) { // a tenth more, rounded up
        possible++;
      }
    }
    assertThat(buckets.sum(now)).isBetween(young, possible);
  }
}
