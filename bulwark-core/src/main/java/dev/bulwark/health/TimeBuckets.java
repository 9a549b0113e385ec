package dev.bulwark.health;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * Counts events over a sliding window of time, lock-free and without allocating.
 *
 * <p>Design. Time is cut into slices of {@code window / 10} (rounded up); slice {@code s} is
 * counted in slot {@code s mod 11} of a {@code long[]}, each slot packing the slice number (high 40
 * bits) and its count (low 24 bits) so that both change in one atomic step. Adding to the current
 * slice is one {@code getAndAdd}; the first event of a new slice replaces the slot's old slice by
 * CAS. Reading sums the slots whose slice lies in the last 11 slices, so an event counts for at
 * least the window and less than a tenth longer: health never forgets a failure early.
 *
 * <p>Races are resolved towards counting: an event whose thread read the clock just before another
 * thread moved the slot on to a newer slice is counted in that newer slice (late), never lost.
 * Counts saturate a little below 2^24 per slice (16 million events in a tenth of the window); slice
 * numbers are compared modulo 2^40 (over 1,700 years at the shortest, 100 ms, slice).
 *
 * <p>Footprint: this object 32 bytes and its array 104, with compressed oops.
 *
 * <p>Thread-safe.
 */
final class TimeBuckets {
  /** Slices per window; the ring holds one more so that a whole window is always covered. */
  static final int SLICES_PER_WINDOW = 10;

  private static final VarHandle SLOTS = MethodHandles.arrayElementVarHandle(long[].class);
  private static final int COUNT_BITS = 24;
  private static final long COUNT_MASK = (1L << COUNT_BITS) - 1;

  /** Below the count's capacity by more than any number of threads racing past the check. */
  private static final long SATURATED = COUNT_MASK - (1L << 20);

  private final long[] slots = new long[SLICES_PER_WINDOW + 1];
  private final long originNanos;
  private final long sliceNanos;

  /** A counter over {@code windowNanos}, with slices numbered from {@code originNanos}. */
  TimeBuckets(long windowNanos, long originNanos) {
    this.originNanos = originNanos;
    this.sliceNanos = (windowNanos + SLICES_PER_WINDOW - 1) / SLICES_PER_WINDOW;
  }

  /** Counts one event at {@code nowNanos}. */
  void add(long nowNanos) {
    long slice = slice(nowNanos);
    int index = index(slice);
    while (true) { // the thread whose CAS lands starts the new slice; a loser re-reads and adds
      long seen = (long) SLOTS.getVolatile(slots, index);
      if (sliceDistance(slice, seen >>> COUNT_BITS) > 0) { // the slot holds an old slice
        if (SLOTS.compareAndSet(slots, index, seen, (slice << COUNT_BITS) | 1L)) {
          return;
        }
      } else {
        if ((seen & COUNT_MASK) < SATURATED) {
          SLOTS.getAndAdd(slots, index, 1L); // may land in a newer slice: counted late, not lost
        }
        return;
      }
    }
  }

  /** The events counted in the window that ends at {@code nowNanos}. */
  long sum(long nowNanos) {
    long slice = slice(nowNanos);
    long total = 0;
    for (int i = 0; i < slots.length; i++) {
      long seen = (long) SLOTS.getVolatile(slots, i);
      long age = sliceDistance(slice, seen >>> COUNT_BITS);
      if (age >= 0 && age < slots.length) {
        total += seen & COUNT_MASK;
      }
    }
    return total;
  }

  private long slice(long nowNanos) {
    return Math.floorDiv(nowNanos - originNanos, sliceNanos); // subtraction survives wrap-around
  }

  private int index(long slice) {
    return (int) Math.floorMod(slice, (long) slots.length);
  }

  /** {@code later - earlier} for slice numbers kept modulo 2^40, sign-extended. */
  private static long sliceDistance(long later, long earlier) {
    return ((later - earlier) << COUNT_BITS) >> COUNT_BITS;
  }
}
