package dev.bulwark.admin;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.concurrent.atomic.AtomicReferenceArray;
import org.jspecify.annotations.Nullable;

/**
 * What one policy name did over the last seconds: calls that succeeded and failed (with their
 * durations), calls refused, fallbacks served, per second of the clock.
 *
 * <p>Design: two rings of per-second slots, 61 for the counts (a minute of history for the
 * sparkline, and the rolling window) and 11 for latency histograms (the rolling window only, so a
 * name costs about 13 KB at most). A slot is an immutable second with atomic counters; a writer
 * that finds its index holding an older second swaps in a fresh slot by CAS, and the CAS winner's
 * slot is the one every writer of that second then uses. Recording takes no lock and allocates only
 * once per second per ring; a count can only be lost by a writer stalled for a whole ring's length
 * (it then lands in a slot no reader looks at). Readers sum the slots whose second is in range.
 *
 * <p>Latencies go into log-linear buckets, four per power of two from about 1 µs to half an hour; a
 * percentile is reported as the middle of its bucket, within 12.5% of the truth.
 *
 * <p>Thread-safe.
 */
final class RollingStats {
  static final int WINDOW_SECONDS = 10;
  static final int HISTORY_SECONDS = 60;

  static final int SUCCEEDED = 0;
  static final int FAILED = 1;
  static final int REJECTED = 2;
  static final int FALLBACKS = 3;
  private static final int COUNTERS = 4;

  static final int BUCKETS = 4 + 4 * 29;

  private final AtomicReferenceArray<@Nullable Slot> counts =
      new AtomicReferenceArray<>(HISTORY_SECONDS + 1);
  private final AtomicReferenceArray<@Nullable Slot> latencies =
      new AtomicReferenceArray<>(WINDOW_SECONDS + 1);

  /** Counts one event of {@code counter} in {@code second}. */
  void count(long second, int counter) {
    Slot slot = slot(counts, second, COUNTERS);
    if (slot != null) {
      slot.values.incrementAndGet(counter);
    }
  }

  /** Counts one call that ended ({@code counter} SUCCEEDED or FAILED) after {@code nanos}. */
  void outcome(long second, int counter, long nanos) {
    count(second, counter);
    Slot slot = slot(latencies, second, BUCKETS);
    if (slot != null) {
      slot.values.incrementAndGet(bucket(nanos));
    }
  }

  private static @Nullable Slot slot(
      AtomicReferenceArray<@Nullable Slot> ring, long second, int width) {
    int index = (int) Math.floorMod(second, (long) ring.length());
    while (true) {
      Slot seen = ring.get(index);
      if (seen != null && seen.second == second) {
        return seen;
      }
      if (seen != null && seen.second - second > 0) {
        return null; // a writer a whole ring late: its second is gone
      }
      Slot fresh = new Slot(second, width);
      if (ring.compareAndSet(index, seen, fresh)) {
        return fresh; // the winner's slot serves every writer of this second
      }
    }
  }

  /** The counters summed over the {@code seconds} seconds up to and including {@code now}. */
  long[] sum(long now, int seconds) {
    long[] total = new long[COUNTERS];
    for (long s = now - seconds + 1; s <= now; s++) {
      Slot slot = at(counts, s);
      if (slot != null) {
        for (int c = 0; c < COUNTERS; c++) {
          total[c] += slot.values.get(c);
        }
      }
    }
    return total;
  }

  /**
   * {@code counter} per second for the {@link #HISTORY_SECONDS} up to {@code now}, oldest first.
   */
  long[] history(long now, int counter) {
    long[] out = new long[HISTORY_SECONDS];
    for (int i = 0; i < HISTORY_SECONDS; i++) {
      Slot slot = at(counts, now - HISTORY_SECONDS + 1 + i);
      out[i] = slot == null ? 0 : slot.values.get(counter);
    }
    return out;
  }

  /**
   * The p50, p90 and p99 durations in milliseconds of the calls that ended in the window up to
   * {@code now}; null if none did.
   */
  @Nullable Map<String, Double> percentiles(long now) {
    long[] histogram = new long[BUCKETS];
    long n = 0;
    for (long s = now - WINDOW_SECONDS + 1; s <= now; s++) {
      Slot slot = at(latencies, s);
      if (slot != null) {
        for (int b = 0; b < BUCKETS; b++) {
          long v = slot.values.get(b);
          histogram[b] += v;
          n += v;
        }
      }
    }
    if (n == 0) {
      return null;
    }
    Map<String, Double> out = new LinkedHashMap<>();
    out.put("p50", percentile(histogram, n, 0.50));
    out.put("p90", percentile(histogram, n, 0.90));
    out.put("p99", percentile(histogram, n, 0.99));
    return out;
  }

  private static double percentile(long[] histogram, long n, double p) {
    long rank = Math.max(1, (long) Math.ceil(p * n));
    long seen = 0;
    int b = 0;
    for (; b < BUCKETS - 1; b++) {
      seen += histogram[b];
      if (seen >= rank) {
        break;
      }
    }
    double middle = (lowerNanos(b) + lowerNanos(b + 1)) / 2.0;
    return Math.round(middle / 1e3) / 1e3; // milliseconds, to the microsecond
  }

  private static @Nullable Slot at(AtomicReferenceArray<@Nullable Slot> ring, long second) {
    Slot slot = ring.get((int) Math.floorMod(second, (long) ring.length()));
    return slot != null && slot.second == second ? slot : null;
  }

  /** The bucket of a duration: 0-3 below 4 µs, then four per power of two. */
  static int bucket(long nanos) {
    long v = Math.max(0, nanos) >> 10;
    if (v < 4) {
      return (int) v;
    }
    int e = 63 - Long.numberOfLeadingZeros(v);
    int sub = (int) (v >> (e - 2)) & 3;
    return Math.min(BUCKETS - 1, 4 + (e - 2) * 4 + sub);
  }

  /** The shortest duration in bucket {@code b}, in nanoseconds. */
  static long lowerNanos(int b) {
    if (b < 4) {
      return (long) b << 10;
    }
    int e = (b - 4) / 4 + 2;
    int sub = (b - 4) % 4;
    return ((4L + sub) << (e - 2)) << 10;
  }

  /** One second's counters. */
  private static final class Slot {
    final long second;
    final AtomicLongArray values;

    Slot(long second, int width) {
      this.second = second;
      this.values = new AtomicLongArray(width);
    }
  }
}
