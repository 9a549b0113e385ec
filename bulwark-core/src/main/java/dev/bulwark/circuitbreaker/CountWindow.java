package dev.bulwark.circuitbreaker;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * The last {@code size} outcomes, lock-free.
 *
 * <p>Design. Each call owns a slot chosen by {@code getAndAdd} on a cursor; its outcome is two bits
 * (failure, slow) packed 32 to a long, written by a CAS loop on that word. Aggregate failure and
 * slow counts move by the difference between the bits written and the bits replaced, so they always
 * converge to the sum of the bits even when two writers lap each other on one slot; between the two
 * updates an aggregate may be off by the in-flight writers (even briefly negative), so readers
 * clamp.
 *
 * <p>The clean fast path: once the window is full and holds no failure and no slow call, writing a
 * plain success would replace a zero by a zero; it is skipped, so a healthy breaker's successful
 * calls only read shared memory and scale across cores. Under races a failure whose aggregate
 * increment is not visible yet may be kept one call longer than its turn; that is the only cost.
 *
 * <p>A 100-call window is 4 longs (48 bytes with the array header) plus this object (40 bytes).
 *
 * <p>Thread-safe.
 */
final class CountWindow extends OutcomeWindow {
  private static final VarHandle WORDS = MethodHandles.arrayElementVarHandle(long[].class);
  private static final VarHandle CURSOR;
  private static final VarHandle FAILURES;
  private static final VarHandle SLOW_CALLS;

  static {
    try {
      MethodHandles.Lookup lookup = MethodHandles.lookup();
      CURSOR = lookup.findVarHandle(CountWindow.class, "cursor", long.class);
      FAILURES = lookup.findVarHandle(CountWindow.class, "failures", int.class);
      SLOW_CALLS = lookup.findVarHandle(CountWindow.class, "slowCalls", int.class);
    } catch (ReflectiveOperationException e) {
      throw new ExceptionInInitializerError(e);
    }
  }

  private final long[] words;
  private final int size;
  private volatile long cursor;
  private volatile int failures;
  private volatile int slowCalls;

  CountWindow(int size) {
    this.size = size;
    this.words = new long[(2 * size + 63) >>> 6];
  }

  @Override
  void record(int outcome, long nowNanos) {
    if (outcome == 0 && failures == 0 && slowCalls == 0 && cursor >= size) {
      return; // clean and full: a success would change nothing
    }
    long index = (long) CURSOR.getAndAdd(this, 1L);
    int slot = (int) (index % size);
    int word = slot >>> 5;
    int shift = (slot & 31) << 1;
    long seen;
    long next;
    int replaced;
    do { // the writer whose CAS lands owns the bits it replaced; a loser re-reads the word
      seen = (long) WORDS.getVolatile(words, word);
      replaced = (int) (seen >>> shift) & 3;
      if (replaced == outcome) {
        return; // same bits: nothing to write, aggregates unchanged
      }
      next = (seen & ~(3L << shift)) | ((long) outcome << shift);
    } while (!WORDS.compareAndSet(words, word, seen, next));
    int failureDelta = (outcome & FAILURE) - (replaced & FAILURE);
    if (failureDelta != 0) {
      FAILURES.getAndAdd(this, failureDelta);
    }
    int slowDelta = ((outcome & SLOW) - (replaced & SLOW)) >> 1;
    if (slowDelta != 0) {
      SLOW_CALLS.getAndAdd(this, slowDelta);
    }
  }

  @Override
  boolean mayHoldFailures() {
    return failures != 0 || slowCalls != 0;
  }

  @Override
  long totals(long nowNanos) {
    long written = cursor;
    int calls = (int) Math.min(written, size);
    int failed = Math.max(0, Math.min(failures, calls));
    int slow = Math.max(0, Math.min(slowCalls, calls));
    return pack(calls, failed, slow);
  }
}
