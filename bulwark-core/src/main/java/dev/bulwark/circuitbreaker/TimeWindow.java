package dev.bulwark.circuitbreaker;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * The outcomes of the last {@code windowNanos}, in ten buckets, lock-free.
 *
 * <p>Design. Time since the window was made is cut into intervals of a tenth of the window; an
 * interval's index picks bucket {@code index mod 10}. A bucket is one long: the low 16 bits of its
 * interval's index (the tag), then 16 bits each of calls, failures and slow calls, updated by a CAS
 * loop. A writer that finds an older tag replaces the bucket (it rotated); the rotating writer then
 * raises {@code latestIndex} and sweeps the other buckets, resetting any that does not hold its
 * interval of the current window, so a stale tag never gets old enough to alias. Totals sum the
 * buckets that hold their interval of the current window; if nothing rotated for ten intervals the
 * window is empty, and the next writer rotates and sweeps whatever the tags say. Known imprecision:
 * writers racing with the first call after a silent window may lose an outcome (a writer replaces
 * or sweeps a bucket another has just written, because {@code latestIndex} is not raised yet).
 *
 * <p>Saturation: a bucket counts at most 65,535 calls; later outcomes in the same interval are
 * dropped. The rates then come from the first 65,535 calls of that interval, a sample, which keeps
 * them meaningful (failures and slow calls never exceed calls).
 *
 * <p>The window covers the current interval and the nine before it: between 90% and 100% of the
 * configured duration.
 *
 * <p>Thread-safe.
 */
final class TimeWindow extends OutcomeWindow {
  static final int BUCKETS = 10;
  private static final int TAG_MASK = 0xFFFF;
  private static final long MAX_COUNT = 0xFFFF;
  private static final long COUNTS = (1L << 48) - 1;
  private static final VarHandle SLOTS = MethodHandles.arrayElementVarHandle(long[].class);
  private static final VarHandle LATEST;

  static {
    try {
      LATEST = MethodHandles.lookup().findVarHandle(TimeWindow.class, "latestIndex", long.class);
    } catch (ReflectiveOperationException e) {
      throw new ExceptionInInitializerError(e);
    }
  }

  private final long[] buckets = new long[BUCKETS];
  private final long originNanos;
  private final long bucketNanos;
  private volatile long latestIndex;

  TimeWindow(long windowNanos, long nowNanos) {
    this.originNanos = nowNanos;
    this.bucketNanos = Math.max(1, windowNanos / BUCKETS);
  }

  private long indexAt(long nowNanos) {
    return Math.floorDiv(nowNanos - originNanos, bucketNanos); // subtraction survives wrap-around
  }

  @Override
  void record(int outcome, long nowNanos) {
    long index = indexAt(nowNanos);
    int position = (int) Math.floorMod(index, (long) BUCKETS);
    int tag = tagOf(index);
    int aheadTag = tagOf(index + BUCKETS);
    long increment = (1L << 32) | ((long) (outcome & FAILURE) << 16) | ((outcome & SLOW) >> 1);
    while (true) { // the writer whose CAS lands first wins; a loser re-reads the bucket
      // after a silent window every tag may alias: the bucket is stale whatever its tag says
      boolean silent = index - latestIndex >= BUCKETS;
      long seen = (long) SLOTS.getVolatile(buckets, position);
      int seenTag = tag(seen);
      long next;
      boolean rotated = false;
      if (!silent && (seenTag == tag || seenTag == aheadTag)) {
        // this interval's bucket, or one a later interval already took (this reading was late)
        if (((seen >>> 32) & MAX_COUNT) == MAX_COUNT) {
          return; // saturated: the interval's rate is sampled from its first 65,535 calls
        }
        next = seen + increment;
      } else {
        next = ((long) tag << 48) | increment;
        rotated = true;
      }
      if (SLOTS.compareAndSet(buckets, position, seen, next)) {
        if (rotated) {
          rotated(index, position, silent);
        }
        return;
      }
    }
  }

  /**
   * Raises {@code latestIndex} and sweeps: every other bucket not of its interval in the current
   * window (or, after a silent window, every other bucket) is reset to an empty bucket of that
   * interval. A bucket left behind is thus reset one cycle after it went stale, long before its
   * 16-bit tag could come round again.
   */
  private void rotated(long index, int position, boolean silent) {
    long latest;
    do { // the highest index wins; a writer with an older index stops
      latest = latestIndex;
      if (index - latest <= 0) {
        break;
      }
    } while (!LATEST.compareAndSet(this, latest, index));
    for (int q = 0; q < BUCKETS; q++) {
      if (q == position) {
        continue;
      }
      long seen = (long) SLOTS.getVolatile(buckets, q);
      long ownIndex = ownIndex(index, q);
      int seenTag = tag(seen);
      boolean stale = seenTag != tagOf(ownIndex) && seenTag != tagOf(ownIndex + BUCKETS);
      if ((seen & COUNTS) != 0 && (silent || stale)) {
        // if the CAS fails, a writer took the bucket meanwhile and it is current
        SLOTS.compareAndSet(buckets, q, seen, (long) tagOf(ownIndex) << 48);
      }
    }
  }

  /** The interval bucket {@code q} holds in the window ending with interval {@code index}. */
  private static long ownIndex(long index, int q) {
    return index - Math.floorMod(index - q, (long) BUCKETS);
  }

  @Override
  boolean mayHoldFailures() {
    return true; // knowing needs the sum; totals() is ten reads
  }

  @Override
  long totals(long nowNanos) {
    long index = indexAt(nowNanos);
    if (index - latestIndex >= BUCKETS) {
      return 0; // nothing rotated for a whole window
    }
    long calls = 0;
    long failures = 0;
    long slow = 0;
    for (int q = 0; q < BUCKETS; q++) {
      long seen = (long) SLOTS.getVolatile(buckets, q);
      long ownIndex = ownIndex(index, q);
      int seenTag = tag(seen);
      if (seenTag == tagOf(ownIndex) || seenTag == tagOf(ownIndex + BUCKETS)) {
        calls += (seen >>> 32) & MAX_COUNT;
        failures += (seen >>> 16) & MAX_COUNT;
        slow += seen & MAX_COUNT;
      }
    }
    return pack(calls, failures, slow);
  }

  private static int tagOf(long index) {
    return (int) (index & TAG_MASK);
  }

  private static int tag(long bucket) {
    return (int) (bucket >>> 48);
  }
}
