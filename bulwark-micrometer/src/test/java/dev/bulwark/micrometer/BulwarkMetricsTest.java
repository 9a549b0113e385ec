package dev.bulwark.micrometer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.bulwark.Resilience;
import dev.bulwark.cache.ResilientCache;
import dev.bulwark.circuitbreaker.CircuitBreaker;
import dev.bulwark.circuitbreaker.CircuitBreakerConfig;
import dev.bulwark.redis.FleetLimiter;
import dev.bulwark.retry.Retry;
import dev.bulwark.retry.RetryConfig;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

class BulwarkMetricsTest {

  private final SimpleMeterRegistry meters = new SimpleMeterRegistry();

  private double gauge(String name, String policy) {
    return meters.get(name).tag("name", policy).gauge().value();
  }

  @Test
  void breakerStateGaugeReadsZeroClosedOneOpenTwoHalfOpen() throws Exception {
    Exercise ex = new Exercise();
    BulwarkMetrics.builder().healthStatus(true).policyEvents(true).bind(ex.resilience, meters);
    CircuitBreaker breaker =
        ex.resilience.get(
            CircuitBreaker.KIND,
            "payments",
            CircuitBreakerConfig.builder()
                .windowSize(4)
                .minimumCalls(4)
                .openDuration(Duration.ofSeconds(10))
                .build());
    assertThat(gauge("bulwark.circuitbreaker.state", "payments")).isZero();
    assertThat(gauge("bulwark.circuitbreaker.failure.ratio", "payments")).isNaN();

    breaker.call(() -> "ok");
    for (int i = 0; i < 3; i++) {
      Exercise.failQuietly(breaker);
    }
    assertThat(gauge("bulwark.circuitbreaker.state", "payments")).isEqualTo(1);
    assertThat(gauge("bulwark.circuitbreaker.failure.ratio", "payments")).isEqualTo(0.75);
    assertThat(
            meters
                .get("bulwark.circuitbreaker.in.state")
                .tags("name", "payments", "state", "open")
                .gauge()
                .value())
        .isEqualTo(1);
    assertThat(meters.get("bulwark.circuitbreaker.transitions").tag("to", "open").counter().count())
        .isEqualTo(1);
    assertThat(meters.get("bulwark.health.status").gauge().value()).isEqualTo(2); // CRITICAL

    Exercise.failQuietly(breaker); // refused
    assertThat(
            meters
                .get("bulwark.circuitbreaker.not.permitted.calls")
                .tag("name", "payments")
                .functionCounter()
                .count())
        .isEqualTo(1);

    ex.clock.advance(Duration.ofSeconds(10));
    breaker.tryAcquirePermission();
    assertThat(gauge("bulwark.circuitbreaker.state", "payments")).isEqualTo(2);
  }

  @Test
  void retryCountersReadTheRetrysOwnStatistics() throws Exception {
    Exercise ex = new Exercise();
    BulwarkMetrics.builder().policyEvents(true).bind(ex.resilience, meters);
    Retry retry =
        ex.resilience.get(Retry.KIND, "inventory", RetryConfig.builder().maxAttempts(3).build());
    retry.call(() -> "ok");
    Exercise.failQuietly(retry);

    assertThat(
            meters
                .get("bulwark.retry.calls")
                .tags("name", "inventory", "outcome", "failed_with_retry")
                .functionCounter()
                .count())
        .isEqualTo(1);
    assertThat(meters.get("bulwark.retry.attempts").functionCounter().count()).isEqualTo(4);
    assertThat(meters.get("bulwark.retry.retries").functionCounter().count()).isEqualTo(2);
    assertThat(meters.get("bulwark.retry.exhausted").tag("reason", "attempts").counter().count())
        .isEqualTo(1);
  }

  @AfterAll
  static void closeFleetConnections() {
    FleetLimiter.closeSharedFleets();
  }

  @Test
  void cacheCountersReadTheCachesOwnStatistics() throws Exception {
    Exercise ex = new Exercise();
    BulwarkMetrics.bind(ex.resilience, meters);
    ResilientCache<String, String> users = ResilientCache.named(ex.resilience, "users");
    users.get("ada", key -> key + "!");
    users.get("ada", key -> key + "!");
    users.get("alan", key -> key + "!");

    assertThat(cacheRequests("process_hit")).isEqualTo(1);
    assertThat(cacheRequests("redis_hit")).isZero();
    assertThat(cacheRequests("miss")).isEqualTo(2);
    assertThat(meters.get("bulwark.cache.loads").tag("name", "users").functionCounter().count())
        .isEqualTo(2);
    assertThat(meters.get("bulwark.cache.load.failures").functionCounter().count()).isZero();
  }

  private double cacheRequests(String result) {
    return meters
        .get("bulwark.cache.requests")
        .tags("name", "users", "result", result)
        .functionCounter()
        .count();
  }

  @Test
  void theFleetGaugeReadsOneOnlyWhileTheLocalFallbackDecides() {
    Exercise ex = new Exercise();
    BulwarkMetrics.bind(ex.resilience, meters);
    FleetLimiter limiter = ex.cutOffFleetLimiter("partner");
    assertThat(gauge("bulwark.fleet.fallback.active", "partner")).isZero(); // nothing failed yet

    limiter.limiter().tryAcquire(); // Redis does not answer: the fallback decides

    assertThat(gauge("bulwark.fleet.fallback.active", "partner")).isEqualTo(1);
  }

  @Test
  void cachesAndFleetLimitersAreCappedAndLoseTheirMetersWhenEvicted() {
    Exercise ex = new Exercise(Resilience.builder().idleEviction(Duration.ofMinutes(1)));
    BulwarkMetrics metrics =
        BulwarkMetrics.builder().maxNamesPerKind(1).bind(ex.resilience, meters);
    ResilientCache.named(ex.resilience, "users");
    ResilientCache.named(ex.resilience, "prices");
    ex.cutOffFleetLimiter("partner");
    ex.cutOffFleetLimiter("search");
    assertThat(nameLabels("bulwark.cache.loads")).containsExactly("other", "users");
    assertThat(nameLabels("bulwark.fleet.fallback.active")).containsExactly("other", "partner");

    ex.clock.advance(Duration.ofMinutes(2));
    // two caches with the breaker and retry each loads through, two fleet limiters
    assertThat(ex.resilience.evictIdle()).isEqualTo(8);
    assertThat(meters.find("bulwark.cache.requests").meters()).isEmpty();
    assertThat(meters.find("bulwark.cache.loads").meters()).isEmpty();
    assertThat(meters.find("bulwark.fleet.fallback.active").meters()).isEmpty();
    metrics.close();
  }

  @Test
  void policiesHeldBeforeBindingAreBoundAtOnce() {
    Exercise ex = new Exercise();
    ex.resilience.circuitBreaker("early");
    BulwarkMetrics.bind(ex.resilience, meters);
    assertThat(gauge("bulwark.circuitbreaker.state", "early")).isZero();
  }

  @Test
  void evictedPoliciesLoseTheirMetersAndFreeTheirLabel() {
    Exercise ex = new Exercise(Resilience.builder().idleEviction(Duration.ofMinutes(1)));
    BulwarkMetrics metrics =
        BulwarkMetrics.builder().maxNamesPerKind(1).bind(ex.resilience, meters);
    ex.resilience.circuitBreaker("first");
    ex.resilience.circuitBreaker("second");
    assertThat(nameLabels("bulwark.circuitbreaker.state")).containsExactly("first", "other");

    ex.clock.advance(Duration.ofMinutes(2));
    assertThat(ex.resilience.evictIdle()).isEqualTo(2);
    assertThat(nameLabels("bulwark.circuitbreaker.state")).isEmpty();
    assertThat(meters.find("bulwark.circuitbreaker.in.state").meters()).isEmpty();

    ex.resilience.circuitBreaker("third");
    assertThat(nameLabels("bulwark.circuitbreaker.state")).containsExactly("third");
    metrics.close();
  }

  @Test
  void closingRemovesEveryMeterItAddedAndStopsBindingNewPolicies() throws Exception {
    Exercise ex = new Exercise();
    BulwarkMetrics metrics =
        BulwarkMetrics.builder()
            .callTimers(true)
            .policyEvents(true)
            .healthStatus(true)
            .bind(ex.resilience, meters);
    ex.everyKind();
    assertThat(meters.getMeters()).isNotEmpty();

    metrics.close();
    metrics.close();
    assertThat(meters.getMeters()).isEmpty();
    ex.resilience.circuitBreaker("after");
    Exercise.failQuietly(ex.resilience.circuitBreaker("payments"));
    assertThat(meters.getMeters()).isEmpty();
  }

  @Test
  void withDefaultsNothingListensToThePoliciesEveryCallGoesThrough() {
    Exercise ex = new Exercise();
    BulwarkMetrics.bind(ex.resilience, meters);
    ex.resilience.pipeline("payments"); // a breaker and a retry
    ex.resilience.rateLimiter("payments");
    ex.resilience.bulkhead("payments");

    assertThat(meters.find("bulwark.health.status").meters()).isEmpty();
    assertThat(meters.find("bulwark.circuitbreaker.state").meters()).hasSize(1);
    assertThat(
            List.of(
                ex.resilience.circuitBreaker("payments").events(),
                ex.resilience.retry("payments").events(),
                ex.resilience.rateLimiter("payments").events(),
                ex.resilience.bulkhead("payments").events()))
        .extracting(Object::toString)
        .containsOnly("EventSource[0 subscriptions]");
  }

  @Test
  void commonTagsGoOnEveryMeter() {
    Exercise ex = new Exercise();
    BulwarkMetrics.builder().tags(Tags.of("app", "shop")).bind(ex.resilience, meters);
    ex.resilience.bulkhead("reports");
    assertThat(meters.getMeters())
        .isNotEmpty()
        .allSatisfy(m -> assertThat(m.getId().getTag("app")).isEqualTo("shop"));
  }

  @Test
  void aCapOutsideItsRangeIsRefusedWithTheSettingsName() {
    assertThatThrownBy(() -> BulwarkMetrics.builder().maxNamesPerKind(0))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("maxNamesPerKind must be in [1, 100000], was 0");
  }

  @Test
  void theCardinalityCapHoldsWithOneHundredThousandNames() throws Exception {
    Exercise ex = new Exercise(Resilience.builder().maxInstances(200_000));
    PrometheusMeterRegistry prometheus = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    BulwarkMetrics.builder()
        .maxNamesPerKind(50)
        .healthStatus(false)
        .bind(ex.resilience, prometheus);
    for (int i = 0; i < 100_000; i++) {
      ex.resilience.circuitBreaker("device-" + i);
    }
    Exercise.failQuietly(ex.resilience.circuitBreaker("device-99999"));

    String scrape = prometheus.scrape();
    Set<String> labels = new TreeSet<>();
    Matcher m = Pattern.compile("name=\"([^\"]*)\"").matcher(scrape);
    while (m.find()) {
      labels.add(m.group(1));
    }
    assertThat(labels).hasSize(51).contains("device-0", "device-49", "other");
    assertThat(scrape)
        .contains("bulwark_circuitbreaker_in_state{name=\"other\",state=\"closed\"} 99950")
        .contains("bulwark_circuitbreaker_state{name=\"other\"} 0");
    assertThat(prometheus.getMeters().size()).isLessThan(51 * 20);
  }

  private Set<String> nameLabels(String meter) {
    Set<String> labels = new TreeSet<>();
    for (Meter m : meters.find(meter).meters()) {
      labels.add(m.getId().getTag("name"));
    }
    return labels;
  }
}
