package dev.bulwark.circuitbreaker;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * The outcomes of the last {@code windowNanos}, in ten buckets, lock-free.
 *
 * <p>Design. Time since the window was made is cut into intervals of a tenth of the window; an
 * interval's index picks bucket {@code index mod 10}. A bucket is one long: the low 16 bits of its
 * interval's index (the tag), then 16 bits each of calls, failures and slow calls, updated by a
 * CAS loop. A writer that finds an older tag replaces the bucket (it rotated); the rotating writer
 * then raises {@code latestIndex} and sweeps the other buckets, resetting any whose tag is no
 * longer in the window, so a tag never gets old enough to alias. Totals sum the buckets whose tag
 * lies in the last ten intervals; if nothing rotated for ten intervals the window is empty, and
 * the next writer rotates whatever the tag says. Known imprecision: two writers racing on that
 * very first call after a silent window may lose one of their outcomes (the second replaces the
 * bucket the first just rotated, because the first has not raised {@code latestIndex} yet).
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
    int tag = (int) (index & TAG_MASK);
    long increment = (1L << 32) | ((long) (outcome & FAILURE) << 16) | ((outcome & SLOW) >> 1);
    while (true) { // the writer whose CAS lands first wins; a loser re-reads the bucket
      long seen = (long) SLOTS.getVolatile(buckets, position);
      int age = (tag - tag(seen)) & TAG_MASK;
      // after a silent window, every tag may alias: the bucket is stale whatever its tag says
      boolean silent = index - latestIndex >= BUCKETS;
      long next;
      boolean rotated = false;
      if (!silent && (age == 0 || age > TAG_MASK - BUCKETS)) {
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
          rotated(index);
        }
        return;
      }
    }
  }

  private void rotated(long index) {
    long latest;
    do { // the highest index wins; a writer with an older index stops
      latest = latestIndex;
      if (index - latest <= 0) {
        break;
      }
    } while (!LATEST.compareAndSet(this, latest, index));
    int tag = (int) (index & TAG_MASK);
    for (int q = 0; q < BUCKETS; q++) {
      long seen = (long) SLOTS.getVolatile(buckets, q);
      int age = (tag - tag(seen)) & TAG_MASK;
      if (seen != 0 && age >= BUCKETS && age <= TAG_MASK - BUCKETS) {
        // stale: reset to an empty bucket of its interval in the current window; if the CAS
        // fails, a writer took the bucket and it is current
        long ownIndex = index - Math.floorMod(index - q, (long) BUCKETS);
        SLOTS.compareAndSet(buckets, q, seen, (ownIndex & TAG_MASK) << 48);
      }
    }
  }

  @Override
  boolean mayHoldFailures() {
    return true; // knowing needs the sum; totals() is ten reads
  }

  @Override
  long totals(long nowNanos) {
    long index = indexAt(nowNanos);
    if (index - latestIndex >= BUCKETS) {
      return 0; // nothing written for a whole window
    }
    int tag = (int) (index & TAG_MASK);
    long calls = 0;
    long failures = 0;
    long slow = 0;
    for (int q = 0; q < BUCKETS; q++) {
      long seen = (long) SLOTS.getVolatile(buckets, q);
      int age = (tag - tag(seen)) & TAG_MASK;
      if (age < BUCKETS || age > TAG_MASK - BUCKETS) {
        calls += (seen >>> 32) & MAX_COUNT;
        failures += (seen >>> 16) & MAX_COUNT;
        slow += seen & MAX_COUNT;
      }
    }
    return pack(calls, failures, slow);
  }

  private static int tag(long bucket) {
    return (int) (bucket >>> 48);
  }
}
