package dev.bulwark.hedge;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/*
 * Recent latencies, for a percentile: a log-linear histogram of counts in one long[], two windows
 * of it side by side (the window now filling and the one before), read and written through a
 * VarHandle. Fixed size (2 x 592 counters, about 9.5 KB), lock-free, and neither recording nor a
 * percentile allocates.
 *
 * Buckets. A latency v below 32 ns has a bucket of its own. Above, v's highest set bit e and the
 * 4 bits below it pick one of 16 equal sub-buckets of [2^e, 2^(e+1)), each 2^(e-4) wide, and a
 * percentile reports the bucket's middle. A bucket [L, L + w) has L >= 16 w, so the middle is
 * within w / 2 <= L / 32 of any value in it: a reported percentile is within 1/32 (3.2%) of the
 * exact one. Latencies of 2^40 ns (about 18 minutes) or more are counted in the last bucket.
 *
 * Windows. Window number n (time since creation / window length) lives in half n mod 2, tagged
 * with n. A recording in window n that finds its half tagged with an older window starts it: the
 * CAS from the old tag to CLEARING wins the right to zero the half, then it publishes the tag n.
 * Recordings that find CLEARING, or a tag newer than theirs (their clock reading is stale), drop
 * their sample: the percentile is statistical, and a few samples lost at a window's turn do not
 * move it. A recording that read tag n, stalled for two windows and then added its count puts a
 * real but old sample in a newer window: also harmless. Readers count a half only if it is tagged
 * with the current or the previous window; counts read while others record are each exact but
 * not taken at one instant.
 */
final class LatencyHistogram {
  private static final VarHandle CELL = MethodHandles.arrayElementVarHandle(long[].class);
  private static final int SUB_BITS = 4;
  private static final int SUB = 1 << SUB_BITS;
  private static final int MAX_EXPONENT = 40; // 2^40 ns and more land in the last bucket
  static final int BUCKETS = (MAX_EXPONENT - SUB_BITS + 1) * SUB;
  static final long MAX_TRACKED_NANOS = (1L << MAX_EXPONENT) - 1;
  private static final long CLEARING = Long.MIN_VALUE;

  private final long originNanos;
  private final long windowNanos;
  private final long[] counts = new long[2 * BUCKETS];
  private final long[] tags = {-2, -1}; // as if left from the two windows before creation

  LatencyHistogram(long originNanos, long windowNanos) {
    this.originNanos = originNanos;
    this.windowNanos = windowNanos;
  }

  /** Counts one latency, measured at {@code nowNanos}. */
  void record(long latencyNanos, long nowNanos) {
    long window = windowAt(nowNanos);
    int half = (int) (window & 1);
    int cell = half * BUCKETS + bucket(latencyNanos);
    for (;
        ; ) { // CAS: racing recordings of a new window; the winner clears the half, others follow
      long tag = (long) CELL.getVolatile(tags, half);
      if (tag == window) {
        CELL.getAndAdd(counts, cell, 1L);
        return;
      }
      if (tag == CLEARING || tag - window > 0) {
        return; // being cleared, or this reading is stale: drop the sample
      }
      if (CELL.compareAndSet(tags, half, tag, CLEARING)) {
        for (int i = half * BUCKETS, end = i + BUCKETS; i < end; i++) {
          CELL.setOpaque(counts, i, 0L);
        }
        CELL.setVolatile(tags, half, window); // publishes the zeros with the tag
      }
    }
  }

  /** How many latencies the current and the previous window hold. */
  long samples(long nowNanos) {
    long window = windowAt(nowNanos);
    long total = 0;
    for (int half = 0; half < 2; half++) {
      if (counts(half, window)) {
        for (int i = half * BUCKETS, end = i + BUCKETS; i < end; i++) {
          total += (long) CELL.getVolatile(counts, i);
        }
      }
    }
    return total;
  }

  /**
   * The {@code percentile} (in (0, 100)) of the latencies of the current and the previous window,
   * by nearest rank (the smallest latency with at least {@code percentile}% of them at or below
   * it), to within 1/32; -1 if there are none.
   */
  long percentile(double percentile, long nowNanos) {
    long window = windowAt(nowNanos);
    boolean first = counts(0, window);
    boolean second = counts(1, window);
    long total = samples(nowNanos);
    if (total == 0) {
      return -1;
    }
    long rank = rank(percentile, total);
    long seen = 0;
    int last = -1;
    for (int b = 0; b < BUCKETS; b++) {
      long c =
          (first ? (long) CELL.getVolatile(counts, b) : 0)
              + (second ? (long) CELL.getVolatile(counts, BUCKETS + b) : 0);
      if (c != 0) {
        last = b;
        seen += c;
        if (seen >= rank) {
          return middle(b);
        }
      }
    }
    return last < 0 ? -1 : middle(last); // counts changed while read: the highest seen
  }

  /** The nearest rank, in [1, total], of {@code percentile} among {@code total} latencies. */
  static long rank(double percentile, long total) {
    long rank = (long) Math.ceil(percentile / 100.0 * total);
    return Math.max(1, Math.min(total, rank));
  }

  private boolean counts(int half, long window) {
    long tag = (long) CELL.getVolatile(tags, half);
    return tag != CLEARING && (tag == window || tag == window - 1);
  }

  private long windowAt(long nowNanos) {
    return Math.floorDiv(nowNanos - originNanos, windowNanos);
  }

  /** The bucket of {@code latencyNanos}. */
  static int bucket(long latencyNanos) {
    if (latencyNanos < 2 * SUB) {
      return (int) Math.max(0, latencyNanos);
    }
    if (latencyNanos > MAX_TRACKED_NANOS) {
      return BUCKETS - 1;
    }
    int exponent = 63 - Long.numberOfLeadingZeros(latencyNanos);
    int sub = (int) (latencyNanos >>> (exponent - SUB_BITS)) & (SUB - 1);
    return (exponent - SUB_BITS + 1) * SUB + sub;
  }

  /** The value reported for bucket {@code b}: its middle, rounded down. */
  static long middle(int b) {
    if (b < 2 * SUB) {
      return b;
    }
    int exponent = b / SUB + SUB_BITS - 1;
    int shift = exponent - SUB_BITS;
    long lower = (long) (SUB + b % SUB) << shift;
    return lower + ((1L << shift) >>> 1);
  }
}
