package dev.bulwark.demo;

import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * The numbers of one run, all measured: what the users got, how many calls reached the service and
 * what it answered them, what the client did on its side, how long users waited, and how quickly
 * fresh answers came back after the outage.
 *
 * @param name the run's column title
 * @param requests requests the users sent
 * @param fresh requests answered with a fresh value from the service
 * @param fallback requests answered with the last known good value
 * @param failed requests that got an error
 * @param serviceCalls calls that reached the service (retries included)
 * @param outageCalls of those, the calls that arrived while the service was down
 * @param throttled calls the service answered 429 Too Many Requests
 * @param heldBack requests held back without a call because the service had asked for a pause with
 *     Retry-After, or -1 if the client cannot hold back
 * @param refused requests an open circuit breaker refused without a call, or -1 if the client has
 *     no breaker
 * @param cut attempts abandoned at the per-attempt (per-request) timeout
 * @param p50Nanos the median time a user waited for an answer (or error), or -1 if no requests
 * @param p99Nanos the 99th percentile of that wait, or -1 if no requests
 * @param recovery from the end of the outage until the first fresh answer, if there was one
 */
public record RunReport(
    String name,
    long requests,
    long fresh,
    long fallback,
    long failed,
    long serviceCalls,
    long outageCalls,
    long throttled,
    long heldBack,
    long refused,
    long cut,
    long p50Nanos,
    long p99Nanos,
    Optional<Duration> recovery) {

  /** Checks the fields. */
  public RunReport {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(recovery, "recovery");
    if (fresh + fallback + failed != requests) {
      throw new IllegalArgumentException("fresh + fallback + failed must equal requests");
    }
  }

  /**
   * Computes the report of a run from its users' logs, the service's own counts and the client's.
   *
   * @param timeline the service's script, to find the outage
   */
  public static RunReport of(
      String name,
      List<CallLog> logs,
      Timeline timeline,
      ServiceCounts service,
      ClientCounts client) {
    int outage = timeline.outageIndex().orElse(-1);
    long outageEndNanos = outage < 0 ? 0 : timeline.end(outage).toNanos();
    int total = 0;
    for (CallLog log : logs) {
      total += log.size();
    }
    long[] latencies = new long[total];
    long[] counts = new long[Answer.values().length];
    long firstFreshAfterOutage = Long.MAX_VALUE;
    int k = 0;
    for (CallLog log : logs) {
      for (int i = 0; i < log.size(); i++) {
        latencies[k++] = log.latencyNanos(i);
        counts[log.answer(i).ordinal()]++;
        long sinceOutageEnd = log.startNanos(i) + log.latencyNanos(i) - outageEndNanos;
        if (outage >= 0 && log.answer(i) == Answer.FRESH && sinceOutageEnd >= 0) {
          firstFreshAfterOutage = Math.min(firstFreshAfterOutage, sinceOutageEnd);
        }
      }
    }
    Arrays.sort(latencies);
    return new RunReport(
        name,
        total,
        counts[Answer.FRESH.ordinal()],
        counts[Answer.FALLBACK.ordinal()],
        counts[Answer.FAILED.ordinal()],
        service.calls(),
        outage < 0 ? 0 : service.callsIn(outage),
        service.throttled(),
        client.heldBack(),
        client.refused(),
        client.cut(),
        percentile(latencies, 50),
        percentile(latencies, 99),
        firstFreshAfterOutage == Long.MAX_VALUE
            ? Optional.empty()
            : Optional.of(Duration.ofNanos(firstFreshAfterOutage)));
  }

  /**
   * The nearest-rank percentile of sorted values: the smallest value that at least {@code percent}%
   * of the values are less than or equal to. -1 if there are no values.
   *
   * @param percent in (0, 100]
   */
  public static long percentile(long[] sorted, double percent) {
    if (!(percent > 0 && percent <= 100)) {
      throw new IllegalArgumentException("percent must be in (0, 100], was " + percent);
    }
    if (sorted.length == 0) {
      return -1;
    }
    int rank = (int) Math.ceil(percent / 100 * sorted.length);
    return sorted[Math.max(rank, 1) - 1];
  }

  /** Requests the user got an answer to, fresh or fallback, as a share of all requests. */
  public double answeredRate() {
    return share(fresh + fallback);
  }

  /** {@code count} as a share of all requests, 0 if there were none. */
  public double share(long count) {
    return requests == 0 ? 0 : (double) count / requests;
  }
}
