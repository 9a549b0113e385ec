package dev.bulwark;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.bulwark.bulkhead.Bulkhead;
import dev.bulwark.bulkhead.BulkheadConfig;
import dev.bulwark.bulkhead.BulkheadFullException;
import dev.bulwark.circuitbreaker.CircuitBreaker;
import dev.bulwark.circuitbreaker.CircuitBreakerConfig;
import dev.bulwark.event.PolicyEvent;
import dev.bulwark.fallback.Fallback;
import dev.bulwark.fallback.FallbackConfig;
import dev.bulwark.hedge.Hedge;
import dev.bulwark.policy.Pipeline;
import dev.bulwark.ratelimit.RateLimiter;
import dev.bulwark.ratelimit.RateLimiterConfig;
import dev.bulwark.retry.Backoff;
import dev.bulwark.retry.Retry;
import dev.bulwark.retry.RetryConfig;
import dev.bulwark.retry.RetryExhaustedException;
import dev.bulwark.test.CallMode;
import dev.bulwark.test.ManualClock;
import dev.bulwark.test.ManualScheduler;
import dev.bulwark.timeout.Timeout;
import dev.bulwark.timeout.TimeoutConfig;
import dev.bulwark.timeout.TimeoutExceededException;
import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** Bulkhead and Timeout in the registry, and the order of the policies in a pipeline. */
class ResilienceWiringTest {
  private final ManualClock clock = ManualClock.nearOverflow();
  private final ManualScheduler scheduler = new ManualScheduler(clock);

  private ResilienceBuilder builder() {
    return Resilience.builder()
        .clock(clock)
        .scheduler(scheduler)
        .defaultConfig(
            Retry.KIND,
            RetryConfig.builder()
                .maxAttempts(3)
                .backoff(Backoff.fixed(Duration.ofMillis(100)))
                .build());
  }

  private static String kind(PolicyEvent event) {
    return event.getClass().getSimpleName();
  }

  @ParameterizedTest
  @EnumSource(CallMode.class)
  void pipelineRunsTheCallThroughBulkheadLimiterBreakerRetryAndTimeoutInThatOrder(CallMode mode)
      throws Exception {
    Resilience resilience =
        builder()
            .config(
                Bulkhead.KIND, "inventory", BulkheadConfig.builder().maxConcurrentCalls(2).build())
            .derive(RateLimiter.KIND, "inventory", b -> b.limit(10))
            .derive(Timeout.KIND, "inventory", b -> b.timeout(Duration.ofSeconds(1)))
            .build();
    Pipeline pipeline = resilience.pipeline("inventory");
    List<String> trace = new CopyOnWriteArrayList<>();
    resilience.bulkhead("inventory").events().subscribe(e -> trace.add("bulkhead " + kind(e)));
    resilience.rateLimiter("inventory").events().subscribe(e -> trace.add("limiter " + kind(e)));
    resilience.circuitBreaker("inventory").events().subscribe(e -> trace.add("breaker " + kind(e)));
    resilience.retry("inventory").events().subscribe(e -> trace.add("retry " + kind(e)));
    resilience.timeout("inventory").events().subscribe(e -> trace.add("timeout " + kind(e)));
    AtomicInteger attempts = new AtomicInteger();

    String value =
        mode.call(
            pipeline,
            scheduler,
            () -> {
              if (attempts.incrementAndGet() == 1) {
                scheduler.advance(Duration.ofSeconds(2)); // too slow: the deadline passes
                return "late";
              }
              assertThat(resilience.bulkhead("inventory").snapshot().inFlight()).isEqualTo(1);
              return "stock";
            });

    assertThat(value).isEqualTo("stock");
    assertThat(pipeline.policies())
        .containsExactly(
            resilience.bulkhead("inventory"),
            resilience.rateLimiter("inventory"),
            resilience.circuitBreaker("inventory"),
            resilience.retry("inventory"),
            resilience.timeout("inventory"));
    // permits are taken outside in; the timeout cuts the attempt, the retry (outside it) retries,
    // and the breaker (outside the retry) records one outcome for the whole call
    assertThat(trace)
        .containsSubsequence(
            "bulkhead CallPermitted",
            "limiter CallPermitted",
            "breaker CallPermitted",
            "timeout CallRejected",
            "retry RetryScheduled",
            "breaker SuccessRecorded");
    assertThat(trace.indexOf("timeout CallRejected"))
        .isLessThan(trace.indexOf("retry RetryScheduled"));
    assertThat(trace).filteredOn(s -> s.startsWith("bulkhead CallPermitted")).hasSize(1);
    assertThat(trace).filteredOn(s -> s.startsWith("limiter CallPermitted")).hasSize(1);
    assertThat(trace).filteredOn(s -> s.startsWith("breaker ")).hasSize(2);
    assertThat(resilience.circuitBreaker("inventory").snapshot().bufferedCalls()).isEqualTo(1);
    assertThat(resilience.bulkhead("inventory").snapshot().inFlight()).isZero();
  }

  @Test
  void thePipelineHoldsOnlyABreakerAndARetryUnlessMoreIsDeclaredForTheName() {
    Resilience resilience =
        builder()
            .derive(Bulkhead.KIND, "reports", b -> b.maxConcurrentCalls(3))
            .config(
                Timeout.KIND,
                "payments",
                TimeoutConfig.builder().timeout(Duration.ofSeconds(2)).build())
            .build();

    assertThat(resilience.pipeline("plain").policies())
        .containsExactly(resilience.circuitBreaker("plain"), resilience.retry("plain"));
    assertThat(resilience.pipeline("reports").policies())
        .containsExactly(
            resilience.bulkhead("reports"),
            resilience.circuitBreaker("reports"),
            resilience.retry("reports"));
    assertThat(resilience.pipeline("payments").policies())
        .containsExactly(
            resilience.circuitBreaker("payments"),
            resilience.retry("payments"),
            resilience.timeout("payments"));
    assertThat(resilience.timeout("payments").config().timeout()).isEqualTo(Duration.ofSeconds(2));
    assertThat(resilience.find(Bulkhead.KIND, "plain")).isEmpty();
    assertThat(resilience.find(Timeout.KIND, "plain")).isEmpty();
  }

  @Test
  void theDefaultTimeoutPutsATimeoutInEveryPipelineUnlessAConfigOfTheNameOverridesIt() {
    Resilience resilience =
        builder()
            .defaultTimeout(Duration.ofSeconds(5))
            .config(
                Timeout.KIND,
                "slow-report",
                TimeoutConfig.builder().timeout(Duration.ofMinutes(1)).build())
            .derive(Timeout.KIND, "derived", b -> b.cancelRunningFuture(false))
            .build();

    Pipeline any = resilience.pipeline("anything");
    assertThat(any.policies()).hasSize(3).last().isSameAs(resilience.timeout("anything"));
    assertThat(resilience.timeout("anything").config().timeout()).isEqualTo(Duration.ofSeconds(5));
    assertThat(resilience.pipeline("slow-report").policies()).last().isInstanceOf(Timeout.class);
    assertThat(resilience.timeout("slow-report").config().timeout())
        .isEqualTo(Duration.ofMinutes(1));
    assertThat(resilience.config(Timeout.KIND, "derived").orElseThrow().timeout())
        .isEqualTo(Duration.ofSeconds(5));
    assertThat(resilience.config(Timeout.KIND, "default").orElseThrow().timeout())
        .isEqualTo(Duration.ofSeconds(5));
  }

  @ParameterizedTest
  @EnumSource(CallMode.class)
  void theDefaultTimeoutCutsASlowCallThatTheRetryThenRetries(CallMode mode) throws Exception {
    Resilience resilience = builder().defaultTimeout(Duration.ofMillis(500)).build();
    AtomicInteger attempts = new AtomicInteger();

    assertThatThrownBy(
            () ->
                mode.call(
                    resilience.pipeline("slow"),
                    scheduler,
                    () -> {
                      attempts.incrementAndGet();
                      scheduler.advance(Duration.ofSeconds(1));
                      return "late";
                    }))
        .isInstanceOf(RetryExhaustedException.class)
        .hasCauseInstanceOf(TimeoutExceededException.class);

    assertThat(attempts).hasValue(3);
    assertThat(resilience.circuitBreaker("slow").snapshot().bufferedCalls()).isEqualTo(1);
  }

  @Test
  void withoutADefaultTimeoutNoPipelineHasATimeout() {
    Resilience resilience = builder().build();

    assertThat(resilience.pipeline("x").policies()).noneMatch(p -> p instanceof Timeout);
    assertThat(resilience.instances(Timeout.KIND)).isEmpty();
  }

  @ParameterizedTest
  @EnumSource(CallMode.class)
  void aFullBulkheadRejectsWithoutCountingItAgainstTheBreaker(CallMode mode) {
    Resilience resilience =
        builder().derive(Bulkhead.KIND, "reports", b -> b.maxConcurrentCalls(1)).build();
    Bulkhead bulkhead = resilience.bulkhead("reports");
    assertThat(bulkhead.tryAcquirePermission()).isTrue(); // another caller holds the only permit

    assertThatThrownBy(() -> mode.call(resilience.pipeline("reports"), scheduler, () -> "x"))
        .isInstanceOfSatisfying(
            BulkheadFullException.class, e -> assertThat(e.policyName()).isEqualTo("reports"));

    assertThat(resilience.circuitBreaker("reports").snapshot().bufferedCalls()).isZero();
    bulkhead.releasePermission();
  }

  @Test
  void bulkheadsAndTimeoutsAreGotOrCreatedByNameFromTheirConfigs() {
    BulkheadConfig perTenant = BulkheadConfig.builder().maxConcurrentCalls(4).build();
    TimeoutConfig quick = TimeoutConfig.builder().timeout(Duration.ofMillis(200)).build();
    Resilience resilience =
        builder()
            .config(Bulkhead.KIND, "tenant", perTenant)
            .config(Timeout.KIND, "quick", quick)
            .build();

    assertThat(resilience.bulkhead("a")).isSameAs(resilience.bulkhead("a"));
    assertThat(resilience.bulkhead("a").config()).isSameAs(BulkheadConfig.ofDefaults());
    assertThat(resilience.bulkhead("tenant").config()).isSameAs(perTenant);
    assertThat(resilience.get(Bulkhead.KIND, "tenant-7", "tenant").config()).isSameAs(perTenant);
    assertThat(resilience.get(Bulkhead.KIND, "tenant-7", "default"))
        .isSameAs(resilience.bulkhead("tenant-7"));
    assertThat(resilience.timeout("t")).isSameAs(resilience.timeout("t"));
    assertThat(resilience.timeout("t").config()).isSameAs(TimeoutConfig.ofDefaults());
    assertThat(resilience.get(Timeout.KIND, "search", "QUICK").config()).isSameAs(quick);
    assertThatThrownBy(() -> resilience.get(Bulkhead.KIND, "x", "tenent"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("no bulkhead config named 'tenent'; configs: [DEFAULT, TENANT]");
    assertThatThrownBy(() -> resilience.get(Timeout.KIND, "x", "slow"))
        .hasMessage("no timeout config named 'slow'; configs: [DEFAULT, QUICK]");
    assertThat(resilience.find(Bulkhead.KIND, "tenant-7"))
        .containsSame(resilience.bulkhead("tenant-7"));
    assertThat(resilience.find(Timeout.KIND, "search")).containsSame(resilience.timeout("search"));
    assertThat(resilience.instances(Bulkhead.KIND).keySet())
        .containsExactly("a", "tenant", "tenant-7");
    assertThat(resilience.instances(Bulkhead.KIND).get("tenant").snapshot().maxConcurrentCalls())
        .isEqualTo(4);
    assertThat(resilience.instances(Timeout.KIND)).containsOnlyKeys("search", "t");
    assertThat(resilience.instances(Timeout.KIND).get("search").config()).isSameAs(quick);
    assertThat(resilience.config(Bulkhead.KIND, "tenant")).containsSame(perTenant);
    assertThat(resilience.config(Timeout.KIND, "nothing")).isEmpty();
    assertThat(resilience.toString()).contains("bulkhead=3", "timeout=2");
  }

  @Test
  void aBulkheadWithCallsInFlightIsNeverEvictedButAnIdleOneAndAnyTimeoutAre() {
    Resilience resilience =
        builder()
            .idleEviction(Duration.ofMinutes(1))
            .defaultConfig(
                Bulkhead.KIND,
                BulkheadConfig.builder().maxConcurrentCalls(1).maxWait(Duration.ofHours(1)).build())
            .build();
    Bulkhead busy = resilience.bulkhead("busy");
    Bulkhead waitedFor = resilience.bulkhead("waited-for");
    Bulkhead idle = resilience.bulkhead("idle");
    resilience.timeout("t");
    assertThat(busy.tryAcquirePermission()).isTrue();
    assertThat(waitedFor.tryAcquirePermission()).isTrue();
    CompletableFuture<String> waiter =
        Pipeline.of(waitedFor)
            .callAsync(() -> CompletableFuture.completedFuture("later"))
            .toCompletableFuture();
    assertThat(waitedFor.snapshot().waitingCalls()).isEqualTo(1);
    clock.advance(Duration.ofMinutes(2)); // the clock alone: the waiter's hour is not over

    assertThat(resilience.evictIdle()).isEqualTo(2); // bulkhead "idle" and timeout "t"

    assertThat(resilience.instances(Bulkhead.KIND)).containsOnlyKeys("busy", "waited-for");
    assertThat(resilience.find(Bulkhead.KIND, "busy")).containsSame(busy);
    assertThat(resilience.bulkhead("idle")).isNotSameAs(idle);
    assertThat(resilience.instances(Timeout.KIND)).isEmpty();

    busy.releasePermission();
    waitedFor.releasePermission(); // hands the permit to the waiter, which runs and releases it
    assertThat(waiter).isCompletedWithValue("later");
    clock.advance(Duration.ofMinutes(2));
    assertThat(resilience.evictIdle()).isEqualTo(3);
    assertThat(resilience.instances(Bulkhead.KIND)).isEmpty();
  }

  @Test
  void aPipelineLosesItsBulkheadAndTimeoutWhenTheyAreEvictedAndGetsFreshOnes() {
    Resilience resilience =
        builder()
            .idleEviction(Duration.ofMinutes(1))
            .derive(Bulkhead.KIND, "reports", b -> b.maxConcurrentCalls(2))
            .defaultTimeout(Duration.ofSeconds(3))
            .build();
    Pipeline first = resilience.pipeline("reports");
    Bulkhead bulkhead = resilience.bulkhead("reports");
    clock.advance(Duration.ofMinutes(2));

    assertThat(resilience.evictIdle()).isEqualTo(4); // bulkhead, breaker, retry, timeout

    Pipeline second = resilience.pipeline("reports");
    assertThat(second).isNotSameAs(first);
    assertThat(second.policies()).hasSize(4).first().isNotSameAs(bulkhead);
  }

  @Test
  void readsBulkheadAndTimeoutSettingsAndTheirPerNameVariablesDeclareThePipeline() {
    Resilience resilience =
        builder()
            .environment(
                Map.of(
                    "BULWARK_BULKHEAD_MAX_CONCURRENT_CALLS", "40",
                    "BULWARK_BULKHEAD_MAX_WAIT", "250ms",
                    "BULWARK_BULKHEAD_REPORTS_MAX_CONCURRENT_CALLS", "2",
                    "BULWARK_TIMEOUT_DURATION", "3s",
                    "BULWARK_TIMEOUT_CANCEL_RUNNING_FUTURE", "FALSE",
                    "BULWARK_TIMEOUT_PAYMENTS_DURATION", "PT0.8S"))
            .build();

    BulkheadConfig fallback = resilience.config(Bulkhead.KIND, "default").orElseThrow();
    assertThat(fallback.maxConcurrentCalls()).isEqualTo(40);
    assertThat(fallback.maxWait()).isEqualTo(Duration.ofMillis(250));
    BulkheadConfig reports = resilience.config(Bulkhead.KIND, "reports").orElseThrow();
    assertThat(reports.maxConcurrentCalls()).isEqualTo(2);
    assertThat(reports.maxWait()).isEqualTo(Duration.ofMillis(250)); // from the default
    TimeoutConfig payments = resilience.config(Timeout.KIND, "payments").orElseThrow();
    assertThat(payments.timeout()).isEqualTo(Duration.ofMillis(800));
    assertThat(payments.cancelRunningFuture()).isFalse();
    assertThat(resilience.config(Timeout.KIND, "default").orElseThrow().timeout())
        .isEqualTo(Duration.ofSeconds(3));
    assertThat(resilience.defaultTimeout()).isEmpty();
    assertThat(resilience.pipeline("reports").policies()).first().isInstanceOf(Bulkhead.class);
    assertThat(resilience.pipeline("payments").policies()).last().isInstanceOf(Timeout.class);
    assertThat(resilience.pipeline("other").policies()).hasSize(2);
  }

  @Test
  void theGlobalTimeoutSetsTheDefaultTimeoutConfigUnlessItsOwnSettingSaysOtherwise() {
    Resilience global = builder().properties(Map.of("bulwark.timeout", "5s")).build();
    Resilience both =
        builder()
            .environment(Map.of("BULWARK_TIMEOUT", "5s", "BULWARK_TIMEOUT_DURATION", "2s"))
            .build();
    Resilience overCode =
        builder()
            .defaultConfig(
                Timeout.KIND, TimeoutConfig.builder().timeout(Duration.ofSeconds(9)).build())
            .environment(Map.of("BULWARK_TIMEOUT", "4s"))
            .build();

    assertThat(global.defaultTimeout()).contains(Duration.ofSeconds(5));
    assertThat(global.timeout("x").config().timeout()).isEqualTo(Duration.ofSeconds(5));
    assertThat(global.pipeline("x").policies()).last().isSameAs(global.timeout("x"));
    assertThat(both.timeout("x").config().timeout()).isEqualTo(Duration.ofSeconds(2));
    assertThat(overCode.timeout("x").config().timeout()).isEqualTo(Duration.ofSeconds(4));
  }

  @Test
  void badBulkheadAndTimeoutSettingsFailNamingTheVariableTheRangeAndTheValue() {
    assertThatThrownBy(
            () ->
                builder().environment(Map.of("BULWARK_BULKHEAD_MAX_CONCURRENT_CALLS", "0")).build())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("BULWARK_BULKHEAD_MAX_CONCURRENT_CALLS must be in [1, 100000], was 0");
    assertThatThrownBy(
            () ->
                builder().environment(Map.of("BULWARK_BULKHEAD_REPORTS_MAX_WAIT", "-PT1S")).build())
        .hasMessage("BULWARK_BULKHEAD_REPORTS_MAX_WAIT must be in [0, PT8760H], was -PT1S");
    assertThatThrownBy(
            () -> builder().environment(Map.of("BULWARK_BULKHEAD_MAX_WAIT", "soon")).build())
        .hasMessageStartingWith("BULWARK_BULKHEAD_MAX_WAIT is not a duration: 'soon'");
    assertThatThrownBy(
            () -> builder().environment(Map.of("BULWARK_TIMEOUT_PAYMENTS_DURATION", "0s")).build())
        .hasMessage("BULWARK_TIMEOUT_PAYMENTS_DURATION must be in (0, PT8760H], was 0s");
    assertThatThrownBy(
            () -> builder().properties(Map.of("bulwark.timeout.duration", "400d")).build())
        .hasMessage("bulwark.timeout.duration must be in (0, PT8760H], was 400d");
    assertThatThrownBy(
            () ->
                builder()
                    .environment(Map.of("BULWARK_TIMEOUT_CANCEL_RUNNING_FUTURE", "maybe"))
                    .build())
        .hasMessage("BULWARK_TIMEOUT_CANCEL_RUNNING_FUTURE must be true or false, was 'maybe'");
    assertThatThrownBy(
            () ->
                builder().environment(Map.of("BULWARK_BULKHEAD_MAX_CONCURENT_CALLS", "3")).build())
        .hasMessageStartingWith(
            "unknown Bulwark setting BULWARK_BULKHEAD_MAX_CONCURENT_CALLS;"
                + " did you mean BULWARK_BULKHEAD_MAX_CONCURRENT_CALLS?");
    assertThatThrownBy(
            () -> builder().properties(Map.of("bulwark.timeout.payments.duraton", "1s")).build())
        .hasMessageStartingWith(
            "unknown Bulwark setting bulwark.timeout.payments.duraton;"
                + " did you mean bulwark.timeout.payments.duration?");
  }

  @Test
  void aDisabledRegistryCreatesNoBulkheadOrTimeout() {
    Resilience resilience =
        builder()
            .enabled(false)
            .defaultTimeout(Duration.ofSeconds(1))
            .derive(Bulkhead.KIND, "x", b -> b.maxConcurrentCalls(1))
            .build();

    assertThat(resilience.pipeline("x").policies()).isEmpty();
    assertThat(resilience.instances(Bulkhead.KIND)).isEmpty();
    assertThat(resilience.instances(Timeout.KIND)).isEmpty();
  }

  @Test
  void aBreakerConfigDoesNotPutABulkheadOrTimeoutInThePipeline() {
    Resilience resilience =
        builder()
            .config(
                CircuitBreaker.KIND,
                "x",
                CircuitBreakerConfig.builder().consecutiveFailures(2).build())
            .config(RateLimiter.KIND, "y", RateLimiterConfig.ofDefaults())
            .build();

    assertThat(resilience.pipeline("x").policies()).hasSize(2);
    assertThat(resilience.pipeline("y").policies()).hasSize(3);
  }

  @Test
  void aDeclaredFallbackConfigPutsAFallbackOutermostInThePipelineOfItsName() throws Exception {
    Resilience resilience =
        builder()
            .config(
                Fallback.KIND,
                "quotes",
                FallbackConfig.builder()
                    .handleIf(failure -> true)
                    .otherwise("stale", failure -> "stale quote")
                    .build())
            .derive(Retry.KIND, "quotes", b -> b.maxAttempts(1))
            .build();

    Pipeline quotes = resilience.pipeline("quotes");

    assertThat(quotes.policies())
        .containsExactly(
            resilience.get(Fallback.KIND, "quotes"),
            resilience.circuitBreaker("quotes"),
            resilience.retry("quotes"));
    Object served =
        quotes.call(
            () -> {
              throw new IOException("down");
            });
    assertThat(served).isEqualTo("stale quote");
    assertThat(resilience.pipeline("other").policies()).hasSize(2);
  }

  @Test
  void hedgesAreNamedPoliciesTooButInNoPipeline() {
    Resilience resilience =
        builder().environment(Map.of("BULWARK_HEDGE_SEARCH_DELAY", "150ms")).build();

    Hedge search = resilience.get(Hedge.KIND, "search");

    assertThat(search.config().delay()).isEqualTo(Duration.ofMillis(150));
    assertThat(resilience.instances(Hedge.KIND)).containsOnlyKeys("search");
    assertThat(resilience.pipeline("search").policies()).doesNotContain(search);
  }
}
