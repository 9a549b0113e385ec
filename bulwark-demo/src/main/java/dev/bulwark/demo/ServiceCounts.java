package dev.bulwark.demo;

import java.util.List;
import java.util.Objects;

/**
 * What a {@link FlakyHttpService} received and answered.
 *
 * @param callsPerPhase requests that reached the service while each phase of its timeline was under
 *     way, in the timeline's order
 * @param errors requests answered 500 or 503
 * @param slow requests answered only after a stall
 * @param throttled requests answered 429 Too Many Requests
 *     <p>Immutable; thread-safe.
 */
public record ServiceCounts(List<Long> callsPerPhase, long errors, long slow, long throttled) {

  /** Copies the list. */
  public ServiceCounts {
    callsPerPhase = List.copyOf(Objects.requireNonNull(callsPerPhase, "callsPerPhase"));
  }

  /** Every request that reached the service. */
  public long calls() {
    long sum = 0;
    for (long calls : callsPerPhase) {
      sum += calls;
    }
    return sum;
  }

  /** The requests that arrived while phase {@code index} was under way. */
  public long callsIn(int index) {
    return callsPerPhase.get(index);
  }
}
