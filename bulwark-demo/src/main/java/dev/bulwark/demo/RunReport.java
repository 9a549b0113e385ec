package dev.bulwark.demo;

import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * The numbers of one run, all measured: what the users got, how many calls reached the service, how
 * long users waited, and how quickly fresh answers came back after the outage.
 *
 * @param name the run's column title
 * @param requests requests the users sent
 * @param fresh requests answered with a fresh value
 * @param fallback requests answered with the last known good value
 * @param failed requests that got an error
 * @param rejected requests a policy refused without calling the service, or -1 if the run has no
 *     policies
 * @param serviceCalls calls that reached the service (retries included)
 * @param outageCalls of those, the calls that arrived while the service was down
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
    long rejected,
    long serviceCalls,
    long outageCalls,
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
   * Computes the report of a run from its users' logs and the service's own counts.
   *
   * @param rejected requests refused by a policy, or -1 if the run has no policies
   */
  public static RunReport of(String name, List<CallLog> logs, FlakyService service, long rejected) {
    Timeline timeline = service.timeline();
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
        rejected,
        service.calls(),
        outage < 0 ? 0 : service.callsIn(outage),
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
