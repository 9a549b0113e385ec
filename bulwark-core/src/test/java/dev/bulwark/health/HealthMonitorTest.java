package dev.bulwark.health;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.bulwark.circuitbreaker.CircuitBreaker;
import dev.bulwark.circuitbreaker.CircuitBreaker.State;
import dev.bulwark.circuitbreaker.CircuitBreakerConfig;
import dev.bulwark.event.EventSource;
import dev.bulwark.event.FailureRecorded;
import dev.bulwark.health.HealthReport.Finding;
import dev.bulwark.policy.Policy;
import dev.bulwark.spi.EventBus;
import dev.bulwark.test.CallMode;
import dev.bulwark.test.ManualClock;
import dev.bulwark.test.ManualScheduler;
import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Callable;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** What the monitor reports and announces, driven by real breakers on a manual clock. */
class HealthMonitorTest {
  private static final Duration WINDOW = Duration.ofSeconds(60);
  private static final Duration SLICE = WINDOW.dividedBy(TimeBuckets.SLICES_PER_WINDOW);

  private final ManualClock clock = ManualClock.nearOverflow(); // wraps past Long.MAX_VALUE
  private final ManualScheduler scheduler = new ManualScheduler(clock);
  private final HealthMonitor health = HealthMonitor.of(HealthConfig.ofDefaults(), clock);

  private final Callable<String> ok = () -> "ok";
  private final Callable<String> failing =
      () -> {
        throw new IOException("connection reset");
      };

  /** Opens after three failures in a row, waits 30 s, closes after two successful probes. */
  private CircuitBreaker tripping(String name) {
    return CircuitBreaker.of(
        name,
        CircuitBreakerConfig.builder()
            .consecutiveFailures(3)
            .openDuration(Duration.ofSeconds(30))
            .halfOpenMaxCalls(1)
            .successThreshold(2)
            .build(),
        clock);
  }

  /** Needs a hundred calls before it judges a rate: failures are recorded, it stays closed. */
  private CircuitBreaker tolerant(String name) {
    return CircuitBreaker.of(
        name, CircuitBreakerConfig.builder().windowSize(100).minimumCalls(100).build(), clock);
  }

  private void fail(CallMode mode, Policy policy, int times) {
    for (int i = 0; i < times; i++) {
      assertThatThrownBy(() -> mode.call(policy, scheduler, failing))
          .isInstanceOf(IOException.class);
    }
  }

  private void succeed(CallMode mode, Policy policy, int times) throws Exception {
    for (int i = 0; i < times; i++) {
      assertThat(mode.call(policy, scheduler, ok)).isEqualTo("ok");
    }
  }

  /** Opens {@code breaker}, waits out its open state and lets one probe succeed: half-open. */
  private void halfOpen(CircuitBreaker breaker) throws Exception {
    fail(CallMode.SYNC, breaker, 3);
    clock.advance(Duration.ofSeconds(30));
    succeed(CallMode.SYNC, breaker, 1);
    assertThat(breaker.state()).isEqualTo(State.HALF_OPEN);
  }

  @ParameterizedTest
  @EnumSource(CallMode.class)
  void isHealthyWhileEveryBreakerIsClosedAndQuiet(CallMode mode) throws Exception {
    CircuitBreaker payments = tripping("payments");
    CircuitBreaker inventory = tolerant("inventory");
    health.watch(payments, inventory);

    succeed(mode, payments, 5);
    succeed(mode, inventory, 5);
    HealthReport report = health.report();

    assertThat(report.status()).isEqualTo(HealthStatus.HEALTHY);
    assertThat(report.findings()).isEmpty();
    assertThat(report.openBreakers()).isEmpty();
    assertThat(report.degradedComponents()).isEmpty();
  }

  @ParameterizedTest
  @EnumSource(CallMode.class)
  void isDegradedAfterFailuresAndHealthyAgainOnceTheyAgeOutOfTheWindow(CallMode mode)
      throws Exception {
    CircuitBreaker inventory = tolerant("inventory");
    health.watch(inventory);

    fail(mode, inventory, 12);
    succeed(mode, inventory, 3);

    HealthReport report = health.report();
    assertThat(report.status()).isEqualTo(HealthStatus.DEGRADED);
    assertThat(report.reasons()).containsExactly("inventory: 12 failures in the last 60 s");
    assertThat(report.degradedComponents()).containsExactly("inventory");
    assertThat(report.openBreakers()).isEmpty();

    clock.advance(WINDOW.minusNanos(1));
    assertThat(health.report().status()).isEqualTo(HealthStatus.DEGRADED);

    clock.advance(SLICE.plusNanos(1)); // an event counts for at most a tenth of the window more
    assertThat(health.report().status()).isEqualTo(HealthStatus.HEALTHY);
    assertThat(health.report().findings()).isEmpty();
  }

  @Test
  void saysOneFailureInTheSingular() {
    CircuitBreaker inventory = tolerant("inventory");
    health.watch(inventory);

    fail(CallMode.SYNC, inventory, 1);

    assertThat(health.report().reasons()).containsExactly("inventory: 1 failure in the last 60 s");
  }

  @Test
  void namesTheWindowItWasConfiguredWith() {
    HealthMonitor shortWindow =
        HealthMonitor.of(
            HealthConfig.builder().recentWindow(Duration.ofMillis(1500)).build(), clock);
    CircuitBreaker inventory = tolerant("inventory");
    shortWindow.watch(inventory);

    fail(CallMode.SYNC, inventory, 2);

    assertThat(shortWindow.report().reasons())
        .containsExactly("inventory: 2 failures in the last 1500 ms");
  }

  @Test
  void isDegradedWhileABreakerIsHalfOpen() throws Exception {
    CircuitBreaker payments = tripping("payments");
    health.watch(payments);
    fail(CallMode.SYNC, payments, 3);
    clock.advance(WINDOW.plus(SLICE)); // the failures that opened it have aged out

    succeed(CallMode.SYNC, payments, 1); // one probe of two passed: still half-open
    HealthReport report = health.report();

    assertThat(payments.state()).isEqualTo(State.HALF_OPEN);
    assertThat(report.status()).isEqualTo(HealthStatus.DEGRADED);
    assertThat(report.reasons()).containsExactly("payments: HALF_OPEN");
    assertThat(report.degradedComponents()).containsExactly("payments");
  }

  @ParameterizedTest
  @EnumSource(CallMode.class)
  void isCriticalWhileABreakerIsOpenAndNamesIt(CallMode mode) {
    CircuitBreaker payments = tripping("payments");
    health.watch(payments);

    fail(mode, payments, 3);
    HealthReport report = health.report();

    assertThat(report.status()).isEqualTo(HealthStatus.CRITICAL);
    assertThat(report.openBreakers()).containsExactly("payments");
    assertThat(report.reasons())
        .containsExactly(
            "payments: OPEN, next probe in 30 s", "payments: 3 failures in the last 60 s");

    clock.advance(Duration.ofSeconds(30)); // the wait is over, but no call has probed yet
    assertThat(health.report().status()).isEqualTo(HealthStatus.CRITICAL);
    assertThat(health.report().reasons()).contains("payments: OPEN, the next call may probe");
  }

  @Test
  void roundsTheTimeUntilTheNextProbeUp() {
    CircuitBreaker payments = tripping("payments");
    health.watch(payments);
    fail(CallMode.SYNC, payments, 3);

    clock.advance(Duration.ofMillis(29_500));
    assertThat(health.report().reasons()).contains("payments: OPEN, next probe in 500 ms");
    clock.advance(Duration.ofMillis(200));
    assertThat(health.report().reasons()).contains("payments: OPEN, next probe in 300 ms");
  }

  @Test
  void isCriticalWhileABreakerIsForcedOpen() {
    CircuitBreaker payments = tripping("payments");
    health.watch(payments);

    payments.forceOpen();
    HealthReport report = health.report();

    assertThat(report.status()).isEqualTo(HealthStatus.CRITICAL);
    assertThat(report.openBreakers()).containsExactly("payments");
    assertThat(report.reasons()).containsExactly("payments: FORCED_OPEN until reset");
  }

  @Test
  void reportsADisabledBreakerWithoutDegradingButCountsTheFailuresItRecords() {
    CircuitBreaker payments = tripping("payments");
    health.watch(payments);

    payments.disable();
    HealthReport quiet = health.report();
    fail(CallMode.SYNC, payments, 5); // disabled: it never opens, but the service did fail
    HealthReport failing = health.report();

    assertThat(quiet.status()).isEqualTo(HealthStatus.HEALTHY);
    assertThat(quiet.findings())
        .containsExactly(
            new Finding(
                "payments", HealthStatus.HEALTHY, "DISABLED, protecting nothing until reset"));
    assertThat(failing.status()).isEqualTo(HealthStatus.DEGRADED);
    assertThat(failing.reasons())
        .containsExactly(
            "payments: 5 failures in the last 60 s",
            "payments: DISABLED, protecting nothing until reset");
  }

  @ParameterizedTest
  @EnumSource(CallMode.class)
  void isDegradedWhileFallbacksServeAndHealthyOnceTheyStop(CallMode mode) throws Exception {
    StubFallback catalog = new StubFallback("catalog", "cached", clock);
    health.watch("catalog", catalog.events());

    for (int i = 0; i < 30; i++) {
      assertThat(mode.call(catalog, scheduler, failing)).isEqualTo("cached"); // never a failure
    }
    succeed(mode, catalog, 3);
    HealthReport report = health.report();

    assertThat(report.status()).isEqualTo(HealthStatus.DEGRADED);
    assertThat(report.reasons())
        .containsExactly("catalog: fallback served 30 times in the last 60 s");

    clock.advance(WINDOW.plus(SLICE));
    assertThat(health.report().status()).isEqualTo(HealthStatus.HEALTHY);
  }

  @Test
  void saysAFallbackServedOnceInTheSingular() throws Exception {
    StubFallback catalog = new StubFallback("catalog", "cached", clock);
    health.watch("catalog", catalog.events());

    catalog.call(failing);

    assertThat(health.report().reasons())
        .containsExactly("catalog: fallback served 1 time in the last 60 s");
  }

  @Test
  void countsFailuresFromAnyWatchedEventSource() {
    EventBus bulkhead = new EventBus();
    health.watch("search", bulkhead);

    bulkhead.publish(
        new FailureRecorded("search", Duration.ZERO, new IOException("x"), clock.wallTime()));

    assertThat(health.report().reasons()).containsExactly("search: 1 failure in the last 60 s");
  }

  @Test
  void statusListenerHearsEachChangeOnceAndAtOnceWithTheOldAndNewStatus() throws Exception {
    CircuitBreaker payments = tripping("payments");
    health.watch(payments);
    Changes changes = Changes.listeningTo(health);

    fail(CallMode.SYNC, payments, 1); // first failure: announced without a report() call
    assertThat(changes.all()).containsExactly("HEALTHY>DEGRADED");

    fail(CallMode.SYNC, payments, 2); // the third opens it: announced at once
    assertThat(changes.all()).containsExactly("HEALTHY>DEGRADED", "DEGRADED>CRITICAL");
    assertThat(changes.reports.get(1).openBreakers()).containsExactly("payments");

    health.report();
    health.report();
    assertThat(changes.all()).hasSize(2);

    clock.advance(Duration.ofSeconds(30));
    succeed(CallMode.SYNC, payments, 1); // OPEN>HALF_OPEN; the failures are still recent
    assertThat(changes.all()).endsWith("CRITICAL>DEGRADED");
    succeed(CallMode.SYNC, payments, 1); // closes; the failures are still recent: no change
    assertThat(changes.all()).hasSize(3);

    clock.advance(WINDOW); // the failures age out: noticed by the next report
    assertThat(changes.all()).hasSize(3);
    assertThat(health.report().status()).isEqualTo(HealthStatus.HEALTHY);
    assertThat(changes.all())
        .containsExactly(
            "HEALTHY>DEGRADED", "DEGRADED>CRITICAL", "CRITICAL>DEGRADED", "DEGRADED>HEALTHY");
    assertThat(changes.reports.get(3).status()).isEqualTo(HealthStatus.HEALTHY);
  }

  @Test
  void watchingABreakerThatIsAlreadyOpenTellsListenersAtOnce() {
    CircuitBreaker payments = tripping("payments");
    payments.forceOpen();
    Changes changes = Changes.listeningTo(health);

    health.watch(payments);

    assertThat(changes.all()).containsExactly("HEALTHY>CRITICAL");
  }

  @Test
  void aThrowingListenerCannotHurtTheCallTheOtherListenersOrLaterChanges() throws Exception {
    CircuitBreaker payments = tripping("payments");
    health.watch(payments);
    health.onStatusChange(
        (from, to, report) -> {
          throw new IllegalStateException("alerting is down");
        });
    Changes changes = Changes.listeningTo(health);

    fail(CallMode.SYNC, payments, 3); // each call still fails with its own exception only

    assertThat(changes.all()).containsExactly("HEALTHY>DEGRADED", "DEGRADED>CRITICAL");
    payments.reset();
    assertThat(changes.all()).endsWith("CRITICAL>DEGRADED");
    assertThat(health.report().status()).isEqualTo(HealthStatus.DEGRADED);
  }

  @Test
  void aListenerThatAsksForAReportIsNotCalledAgainForTheSameChange() {
    CircuitBreaker payments = tripping("payments");
    health.watch(payments);
    Changes changes = Changes.listeningTo(health);
    health.onStatusChange((from, to, report) -> health.report());

    payments.forceOpen();

    assertThat(changes.all()).containsExactly("HEALTHY>CRITICAL");
  }

  @Test
  void aRemovedListenerHearsNothingMore() {
    CircuitBreaker payments = tripping("payments");
    health.watch(payments);
    Changes changes = Changes.listeningTo(health);

    assertThat(health.removeStatusListener(changes)).isTrue();
    payments.forceOpen();

    assertThat(changes.all()).isEmpty();
    assertThat(health.removeStatusListener(changes)).isFalse();
  }

  @Test
  void stampsTheReportWithTheClocksWallTime() {
    clock.advance(Duration.ofMinutes(7));

    assertThat(health.report().wallTime())
        .isEqualTo(ManualClock.DEFAULT_WALL_TIME.plus(Duration.ofMinutes(7)));
  }

  @Test
  void givesTheWorstStatusOfSeveralBreakersWithEveryReasonWorstFirst() throws Exception {
    CircuitBreaker orders = tripping("orders");
    CircuitBreaker payments = tripping("payments");
    CircuitBreaker search = tripping("search");
    CircuitBreaker inventory = tolerant("inventory");
    CircuitBreaker audit = tripping("audit");
    StubFallback catalog = new StubFallback("catalog", "cached", clock);
    health.watch(orders, payments, search, inventory, audit);
    health.watch("catalog", catalog.events());

    halfOpen(search);
    clock.advance(WINDOW.plus(SLICE)); // search's opening failures age out; it stays half-open
    succeed(CallMode.SYNC, orders, 3);
    fail(CallMode.SYNC, payments, 3);
    fail(CallMode.SYNC, inventory, 12);
    audit.disable();
    catalog.call(failing);
    catalog.call(failing);
    HealthReport report = health.report();

    assertThat(report.status()).isEqualTo(HealthStatus.CRITICAL);
    assertThat(report.openBreakers()).containsExactly("payments");
    assertThat(report.degradedComponents())
        .containsExactly("payments", "search", "inventory", "catalog");
    assertThat(report.reasons())
        .containsExactly(
            "payments: OPEN, next probe in 30 s",
            "payments: 3 failures in the last 60 s",
            "search: HALF_OPEN",
            "inventory: 12 failures in the last 60 s",
            "catalog: fallback served 2 times in the last 60 s",
            "audit: DISABLED, protecting nothing until reset");
  }

  @Test
  void countsABreakerWatchedTwiceOnce() {
    CircuitBreaker inventory = tolerant("inventory");
    health.watch(inventory, inventory);
    health.watch(inventory);
    health.watch("inventory-again", inventory.events());

    fail(CallMode.SYNC, inventory, 2);

    assertThat(health.report().reasons()).containsExactly("inventory: 2 failures in the last 60 s");
  }

  @Test
  void forgetsAnUnwatchedBreakerAndTellsListenersTheStatusRecovered() {
    CircuitBreaker payments = tripping("payments");
    health.watch(payments);
    Changes changes = Changes.listeningTo(health);
    fail(CallMode.SYNC, payments, 3);

    assertThat(health.unwatch(payments)).isTrue();
    assertThat(changes.all()).endsWith("CRITICAL>HEALTHY");
    payments.reset();
    fail(CallMode.SYNC, payments, 1); // no longer counted

    assertThat(health.report().findings()).isEmpty();
    assertThat(health.unwatch(payments)).isFalse();
  }

  @Test
  void forgetsAnUnwatchedEventSource() throws Exception {
    StubFallback catalog = new StubFallback("catalog", "cached", clock);
    EventSource events = catalog.events();
    health.watch("catalog", events);
    catalog.call(failing);

    assertThat(health.unwatch(events)).isTrue();
    catalog.call(failing);

    assertThat(health.report().status()).isEqualTo(HealthStatus.HEALTHY);
    assertThat(health.unwatch(events)).isFalse();
  }

  @Test
  void rejectsMissingOrBlankArgumentsNamingThem() {
    CircuitBreaker payments = tripping("payments");

    assertThatThrownBy(() -> health.watch((CircuitBreaker[]) null))
        .isInstanceOf(NullPointerException.class)
        .hasMessage("breakers must not be null");
    assertThatThrownBy(() -> health.watch(payments, null))
        .isInstanceOf(NullPointerException.class)
        .hasMessage("breaker must not be null");
    assertThatThrownBy(() -> health.watch(" ", new EventBus()))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("name must not be blank");
    assertThatThrownBy(() -> health.watch("catalog", null))
        .isInstanceOf(NullPointerException.class)
        .hasMessage("events must not be null");
    assertThatThrownBy(() -> health.onStatusChange(null))
        .isInstanceOf(NullPointerException.class)
        .hasMessage("listener must not be null");
    assertThatThrownBy(() -> HealthMonitor.of(null, clock))
        .isInstanceOf(NullPointerException.class)
        .hasMessage("config must not be null");
    assertThat(health.report().findings()).isEmpty(); // the half-valid watch added nothing
  }

  @Test
  void copiesTheFindingsItIsGiven() {
    List<Finding> findings = new java.util.ArrayList<>();
    findings.add(new Finding("payments", HealthStatus.DEGRADED, "HALF_OPEN"));
    HealthReport report = new HealthReport(HealthStatus.DEGRADED, findings, clock.wallTime());

    findings.clear();

    assertThat(report.findings()).hasSize(1);
    assertThatThrownBy(() -> report.findings().clear())
        .isInstanceOf(UnsupportedOperationException.class);
  }
}
