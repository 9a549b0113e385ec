package dev.bulwark.health;

import dev.bulwark.internal.Check;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * The health of a set of watched policies at one moment: the overall status, and one finding per
 * thing that is not simply fine, worst first.
 *
 * <p>The status is the worst status among the findings, or {@link HealthStatus#HEALTHY} when there
 * are none. A finding may be informational ({@code HEALTHY}): a disabled breaker is reported so
 * nobody forgets it, but it does not degrade the status.
 *
 * <p>Immutable; thread-safe.
 *
 * @param status the overall status
 * @param findings what is wrong (or worth knowing), worst first, in the order sources were watched
 *     within one status; unmodifiable
 * @param wallTime when the report was made, by the monitor's clock
 */
public record HealthReport(HealthStatus status, List<Finding> findings, Instant wallTime) {

  /**
   * Checks the arguments and copies {@code findings}.
   *
   * @throws NullPointerException if an argument or a finding is null
   */
  public HealthReport {
    Check.notNull("status", status);
    findings = List.copyOf(Check.notNull("findings", findings));
    Check.notNull("wallTime", wallTime);
  }

  /** The names of the breakers that are open or forced open, in report order, each once. */
  public List<String> openBreakers() {
    return components(HealthStatus.CRITICAL);
  }

  /** The names of the components with a {@code DEGRADED} finding, in report order, each once. */
  public List<String> degradedComponents() {
    return components(HealthStatus.DEGRADED);
  }

  /** Every finding as {@code "component: reason"}, worst first. */
  public List<String> reasons() {
    List<String> reasons = new ArrayList<>(findings.size());
    for (Finding finding : findings) {
      reasons.add(finding.toString());
    }
    return List.copyOf(reasons);
  }

  private List<String> components(HealthStatus status) {
    List<String> names = new ArrayList<>();
    for (Finding finding : findings) {
      if (finding.status() == status && !names.contains(finding.component())) {
        names.add(finding.component());
      }
    }
    return List.copyOf(names);
  }

  /**
   * One thing a watched component reports, for example {@code payments: HALF_OPEN} or {@code
   * inventory: 12 failures in the last 60 s}.
   *
   * <p>Immutable; thread-safe.
   *
   * @param component the name the source was watched under (a breaker's name by default)
   * @param status how bad this finding alone is
   * @param reason what was seen, for people to read
   */
  public record Finding(String component, HealthStatus status, String reason) {

    /**
     * Checks the arguments.
     *
     * @throws NullPointerException if an argument is null
     */
    public Finding {
      Check.notNull("component", component);
      Check.notNull("status", status);
      Check.notNull("reason", reason);
    }

    /** {@code "component: reason"}. */
    @Override
    public String toString() {
      return component + ": " + reason;
    }
  }
}
