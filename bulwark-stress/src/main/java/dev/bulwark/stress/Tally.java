package dev.bulwark.stress;

import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.concurrent.atomic.LongAdder;

/**
 * What callers of one scenario saw: one outcome per call, by kind and by detail (the exception's
 * simple name, or the HTTP status), and the calls' latencies.
 *
 * <p>Latencies go into fixed buckets of 50 microseconds up to 2 seconds (and one bucket beyond), so
 * recording never allocates and p50/p99 are exact to 50 microseconds.
 *
 * <p>Thread-safe.
 */
final class Tally {

  /** The one outcome a call ends with, as its caller sees it. */
  enum Kind {
    /** The call returned a value (for HTTP: a 2xx response). */
    SUCCESS,
    /** The call failed: the remote call's own failure, a timeout, retries exhausted, interrupts. */
    FAILURE,
    /**
     * A policy refused the call before it ran: a full bulkhead, an open breaker, a held limiter.
     */
    REJECTION,
    /** The caller cancelled the call's future before it completed. */
    CANCELLATION
  }

  private static final long BUCKET_NANOS = 50_000;
  private static final int BUCKETS = 40_001; // 2 s in 50 us steps, then one for everything beyond

  private final LongAdder[] byKind = new LongAdder[Kind.values().length];
  private final Map<String, LongAdder> byDetail = new ConcurrentHashMap<>();
  private final AtomicLongArray latencies = new AtomicLongArray(BUCKETS);
  private final LongAdder started = new LongAdder();

  Tally() {
    for (int i = 0; i < byKind.length; i++) {
      byKind[i] = new LongAdder();
    }
  }

  /** Counts a call begun; every begun call must end in exactly one {@link #record}. */
  void begin() {
    started.increment();
  }

  /** Counts a call's one outcome. */
  void record(Kind kind, String detail, long latencyNanos) {
    byKind[kind.ordinal()].increment();
    byDetail.computeIfAbsent(kind + " " + detail, k -> new LongAdder()).increment();
    int bucket = (int) Math.min(BUCKETS - 1, Math.max(0, latencyNanos) / BUCKET_NANOS);
    latencies.incrementAndGet(bucket);
  }

  long started() {
    return started.sum();
  }

  long count(Kind kind) {
    return byKind[kind.ordinal()].sum();
  }

  /** Outcomes recorded, of every kind. */
  long ended() {
    long sum = 0;
    for (LongAdder adder : byKind) {
      sum += adder.sum();
    }
    return sum;
  }

  /** How many outcomes had {@code detail} (for example "REJECTION BulkheadFullException"). */
  long detail(String kindAndDetail) {
    LongAdder adder = byDetail.get(kindAndDetail);
    return adder == null ? 0 : adder.sum();
  }

  /** Counts of every outcome detail, sorted. */
  Map<String, Long> details() {
    Map<String, Long> sorted = new TreeMap<>();
    byDetail.forEach((k, v) -> sorted.put(k, v.sum()));
    return sorted;
  }

  /** The latency at or below which {@code quantile} of the calls ended, in milliseconds. */
  double percentileMillis(double quantile) {
    long total = 0;
    for (int i = 0; i < BUCKETS; i++) {
      total += latencies.get(i);
    }
    if (total == 0) {
      return 0;
    }
    long rank = (long) Math.ceil(quantile * total);
    long seen = 0;
    for (int i = 0; i < BUCKETS; i++) {
      seen += latencies.get(i);
      if (seen >= rank) {
        return (i + 1) * BUCKET_NANOS / 1e6;
      }
    }
    return BUCKETS * BUCKET_NANOS / 1e6;
  }

  /** One line per kind and per detail, for the summary. */
  String describe(String indent) {
    StringBuilder sb = new StringBuilder();
    sb.append(indent)
        .append(String.format("calls %d (ended %d)", started(), ended()))
        .append(
            String.format(
                ", p50 %.2f ms, p99 %.2f ms%n", percentileMillis(0.50), percentileMillis(0.99)));
    for (Kind kind : Kind.values()) {
      sb.append(indent).append(String.format("  %-13s %d%n", kind, count(kind)));
    }
    details().forEach((k, v) -> sb.append(indent).append(String.format("    %-60s %d%n", k, v)));
    return sb.toString();
  }
}
