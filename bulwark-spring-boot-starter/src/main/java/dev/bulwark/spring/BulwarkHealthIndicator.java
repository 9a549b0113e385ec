package dev.bulwark.spring;

import dev.bulwark.Resilience;
import dev.bulwark.health.HealthReport;
import dev.bulwark.health.HealthStatus;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import org.springframework.boot.actuate.health.AbstractHealthIndicator;
import org.springframework.boot.actuate.health.Health;
import org.springframework.boot.actuate.health.Status;

/**
 * The registry's health as Spring's: {@code CRITICAL} (a breaker open) is {@code DOWN} and {@code
 * DEGRADED} (a breaker half-open, recent failures, fallbacks served) is {@code UP} by default, each
 * configurable ({@code management.health.bulwark.critical-status}, {@code
 * management.health.bulwark.degraded-status}); the details list the open breakers, the degraded
 * components and the reasons.
 *
 * <p>Thread-safe.
 */
public class BulwarkHealthIndicator extends AbstractHealthIndicator {
  private final Resilience resilience;
  private final Status critical;
  private final Status degraded;

  /**
   * An indicator of {@code resilience}'s health, starting its health monitor now so that it counts
   * from the start.
   */
  public BulwarkHealthIndicator(Resilience resilience, Status critical, Status degraded) {
    super("Bulwark health check failed");
    this.resilience = Objects.requireNonNull(resilience, "resilience");
    this.critical = Objects.requireNonNull(critical, "critical");
    this.degraded = Objects.requireNonNull(degraded, "degraded");
    resilience.health();
  }

  @Override
  protected void doHealthCheck(Health.Builder builder) {
    HealthReport report = resilience.health().report();
    HealthStatus status = report.status();
    builder.status(
        status == HealthStatus.CRITICAL
            ? critical
            : status == HealthStatus.DEGRADED ? degraded : Status.UP);
    Map<String, Object> details = new LinkedHashMap<>();
    details.put("status", status.name());
    details.put("openBreakers", report.openBreakers());
    details.put("degradedComponents", report.degradedComponents());
    details.put("reasons", report.reasons());
    builder.withDetails(details);
  }
}
