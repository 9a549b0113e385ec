package dev.bulwark.retry;

import dev.bulwark.time.Clock;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/*
 * A sliding window of BUCKETS time buckets, each a pair of cells in two long arrays: one counting
 * calls, one counting granted retries. Bucket number e (time since creation / bucket length) lives
 * at index e mod BUCKETS, and each cell carries e's low 32 bits as a tag, so a cell left over from
 * an older bucket is recognised and replaced, never counted.
 *
 *   calls cell:   tag (32) | calls (32, saturating)
 *   retries cell: tag (32) | SEALED (1) | retries (31)
 *
 * Deposits only add to the current calls cell: a reader that misses one grants less, never more.
 *
 * Withdrawals must see every other grant, so grants are serialised through the retries cell of the
 * newest bucket. A withdrawal in bucket e first seals the retries cells of buckets e-9 .. e-1
 * (setting SEALED, or replacing a left-over cell with an empty sealed one for that bucket); a
 * sealed cell never changes again while it stays in the window. It then sums the window, and
 * grants by a CAS on bucket e's cell, which fails if anything granted meanwhile in bucket e or if a
 * withdrawal in a later bucket sealed it. A withdrawal that finds its own bucket sealed, or a cell
 * tagged later than it expected (its clock reading is stale), moves on to the later bucket. So the
 * successful CASes form one order in which each grant saw every grant before it: the inequality
 * checked holds exactly at every grant, whatever the interleaving.
 *
 * Tags are compared by int subtraction, so they wrap safely; see RetryBudget's "Limits".
 */
final class BucketedRetryBudget implements RetryBudget {
  private static final VarHandle CELL = MethodHandles.arrayElementVarHandle(long[].class);
  private static final int BUCKETS = RetryBudgetConfig.BUCKETS;
  private static final long COUNT_MASK = 0xFFFF_FFFFL;
  private static final long SEALED = 1L << 31;
  private static final long RETRIES_MASK = SEALED - 1;
  private static final long MICROS = 1_000_000;

  private final RetryBudgetConfig config;
  private final Clock clock;
  private final long originNanos;
  private final long bucketNanos;
  private final long ratioWhole; // ratio = ratioWhole + ratioMicros / 1e6
  private final long ratioMicros;
  private final long reserve;
  private final long[] calls = new long[BUCKETS];
  private final long[] retries = new long[BUCKETS];

  {
    for (int i = 0; i < BUCKETS; i++) { // as if left over from the buckets before creation
      calls[i] = pack(i - BUCKETS, 0);
      retries[i] = pack(i - BUCKETS, 0);
    }
  }

  BucketedRetryBudget(RetryBudgetConfig config, Clock clock) {
    this.config = config;
    this.clock = clock;
    this.originNanos = clock.nanoTime();
    long windowNanos = config.window().toNanos();
    this.bucketNanos = windowNanos / BUCKETS;
    long ratioInMicros = Math.round(config.ratio() * MICROS);
    this.ratioWhole = ratioInMicros / MICROS;
    this.ratioMicros = ratioInMicros % MICROS;
    this.reserve = (long) Math.floor(config.minRetriesPerSecond() * (windowNanos / 1e9));
  }

  @Override
  public RetryBudgetConfig config() {
    return config;
  }

  @Override
  public void deposit() {
    long e = bucketNow();
    int i = index(e);
    for (; ; ) { // CAS: racing deposits and rotations of this cell; a loser re-reads and adds again
      long cell = (long) CELL.getVolatile(calls, i);
      int ahead = tag(cell) - (int) e;
      long next;
      if (ahead == 0) {
        if ((cell & COUNT_MASK) == COUNT_MASK) {
          return; // saturated: an uncounted call only makes the budget grant less
        }
        next = cell + 1;
      } else if (ahead < 0) {
        next = pack(e, 1); // a cell left over from an older bucket: this call starts bucket e
      } else {
        return; // the clock reading is a whole window stale: dropping the call grants less
      }
      if (CELL.compareAndSet(calls, i, cell, next)) {
        return;
      }
    }
  }

  @Override
  public boolean tryWithdraw() {
    long e = bucketNow();
    for (; ; ) { // CAS on the newest bucket's retries cell: the winner's grant is the next in order
      long behind = sealOlderBuckets(e);
      if (behind != e) {
        e = behind; // another withdrawal reached a later bucket: follow it
        continue;
      }
      int i = index(e);
      long head = (long) CELL.getVolatile(retries, i);
      int ahead = tag(head) - (int) e;
      if (ahead > 0 || (ahead == 0 && (head & SEALED) != 0)) {
        e = ahead > 0 ? e + ahead : e + 1; // a later bucket has begun
        continue;
      }
      long granted = ahead == 0 ? head & RETRIES_MASK : 0;
      if (granted == RETRIES_MASK) {
        return false; // the bucket's count is full: refuse rather than overflow
      }
      long inWindow = granted + sumSealedRetries(e);
      if (inWindow >= allowance(sumCalls(e))) {
        return false;
      }
      long next = ahead == 0 ? head + 1 : pack(e, 1);
      if (CELL.compareAndSet(retries, i, head, next)) {
        return true;
      }
    }
  }

  /**
   * Seals the retries cells of the 9 buckets before {@code e}; returns {@code e}, or a later bucket
   * if one was found already begun.
   */
  private long sealOlderBuckets(long e) {
    for (long b = e - BUCKETS + 1; b != e; b++) {
      int i = index(b);
      for (; ; ) { // CAS: racing sealers and a stale grant; the loser re-reads and seals what won
        long cell = (long) CELL.getVolatile(retries, i);
        int ahead = tag(cell) - (int) b;
        long sealed;
        if (ahead > 0) {
          return b + ahead; // bucket b + ahead has begun, so e is stale
        } else if (ahead == 0) {
          if ((cell & SEALED) != 0) {
            break;
          }
          sealed = cell | SEALED;
        } else {
          sealed = pack(b, 0) | SEALED; // nothing was granted in bucket b; nothing will be
        }
        if (CELL.compareAndSet(retries, i, cell, sealed)) {
          break;
        }
      }
    }
    return e;
  }

  /** The counts in {@code cells} (masked by {@code mask}) of buckets {@code from .. to}. */
  private static long sum(long[] cells, long mask, long from, long to) {
    long sum = 0;
    for (long b = from; b - to <= 0; b++) {
      long cell = (long) CELL.getVolatile(cells, index(b));
      if (tag(cell) == (int) b) {
        sum += cell & mask;
      }
    }
    return sum;
  }

  private long sumSealedRetries(long e) {
    return sum(retries, RETRIES_MASK, e - BUCKETS + 1, e - 1);
  }

  private long sumRetries(long e) {
    return sum(retries, RETRIES_MASK, e - BUCKETS + 1, e);
  }

  private long sumCalls(long e) {
    return sum(calls, COUNT_MASK, e - BUCKETS + 1, e);
  }

  /** Retries allowed in a window holding {@code calls} calls; never overflows. */
  long allowance(long calls) {
    return allowance(calls, ratioWhole, ratioMicros, reserve);
  }

  /**
   * floor(calls × (whole + micros / 10^6)) + reserve. With calls below 2^36, whole at most 1000 and
   * micros below 10^6, every product stays below 2^56.
   */
  static long allowance(long calls, long whole, long micros, long reserve) {
    return calls * whole + calls * micros / MICROS + reserve;
  }

  @Override
  public Snapshot snapshot() {
    long e = bucketNow();
    long windowCalls = sumCalls(e);
    long windowRetries = sumRetries(e);
    return new Snapshot(
        windowCalls, windowRetries, Math.max(0, allowance(windowCalls) - windowRetries));
  }

  private long bucketNow() {
    return Math.floorDiv(clock.nanoTime() - originNanos, bucketNanos);
  }

  private static int index(long bucket) {
    return (int) Math.floorMod(bucket, (long) BUCKETS);
  }

  private static int tag(long cell) {
    return (int) (cell >>> 32);
  }

  private static long pack(long bucket, long count) {
    return ((bucket & COUNT_MASK) << 32) | count;
  }

  @Override
  public String toString() {
    return "RetryBudget[" + snapshot() + "]";
  }
}
