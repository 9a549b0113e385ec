package dev.bulwark;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.bulwark.circuitbreaker.CircuitBreaker;
import dev.bulwark.circuitbreaker.CircuitBreakerConfig;
import dev.bulwark.circuitbreaker.CircuitBreakerOpenException;
import dev.bulwark.event.FailureRecorded;
import dev.bulwark.event.PolicyAdded;
import dev.bulwark.event.PolicyEvent;
import dev.bulwark.policy.Pipeline;
import dev.bulwark.ratelimit.RateLimitedException;
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
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class ResilienceTest {
  private final ManualClock clock = ManualClock.nearOverflow();
  private final ManualScheduler scheduler = new ManualScheduler(clock);

  private ResilienceBuilder builder() {
    return Resilience.builder().clock(clock).scheduler(scheduler);
  }

  private static CircuitBreakerConfig opensAfter(int failures) {
    return CircuitBreakerConfig.builder()
        .consecutiveFailures(failures)
        .openDuration(Duration.ofSeconds(10))
        .build();
  }

  @Test
  void returnsTheSameInstanceForTheSameNameAndAnotherForAnotherName() {
    Resilience resilience = builder().build();

    assertThat(resilience.circuitBreaker("a")).isSameAs(resilience.circuitBreaker("a"));
    assertThat(resilience.circuitBreaker("a")).isNotSameAs(resilience.circuitBreaker("b"));
    assertThat(resilience.retry("a")).isSameAs(resilience.retry("a"));
    assertThat(resilience.rateLimiter("a")).isSameAs(resilience.rateLimiter("a"));
    assertThat(resilience.circuitBreaker("a").name()).isEqualTo("a");
    assertThat(resilience.circuitBreaker("A")).isNotSameAs(resilience.circuitBreaker("a"));
  }

  @Test
  void usesTheConfigOfTheSameNameElseTheDefault() {
    CircuitBreakerConfig payments = opensAfter(2);
    CircuitBreakerConfig fallback = opensAfter(7);
    Resilience resilience =
        builder()
            .defaultConfig(CircuitBreaker.KIND, fallback)
            .config(CircuitBreaker.KIND, "payments", payments)
            .config(Retry.KIND, "payments", RetryConfig.builder().maxAttempts(5).build())
            .build();

    assertThat(resilience.circuitBreaker("payments").config()).isSameAs(payments);
    assertThat(resilience.circuitBreaker("orders").config()).isSameAs(fallback);
    assertThat(resilience.retry("payments").config().maxAttempts()).isEqualTo(5);
    assertThat(resilience.retry("orders").config()).isSameAs(RetryConfig.ofDefaults());
  }

  @Test
  void aRetryOrTimeoutGivenItsConfigIsRegisteredUnderItsNameAndKeptWhateverConfigComesNext() {
    Resilience resilience = builder().build();
    RetryConfig fiveAttempts = RetryConfig.builder().maxAttempts(5).build();
    TimeoutConfig twoSeconds = TimeoutConfig.builder().timeout(Duration.ofSeconds(2)).build();

    Retry retry = resilience.get(Retry.KIND, "api.example.com:443", fiveAttempts);
    Timeout timeout = resilience.get(Timeout.KIND, "api.example.com:443", twoSeconds);

    assertThat(retry.config()).isSameAs(fiveAttempts);
    assertThat(timeout.config()).isSameAs(twoSeconds);
    assertThat(resilience.get(Retry.KIND, "api.example.com:443", RetryConfig.ofDefaults()))
        .isSameAs(retry);
    assertThat(resilience.get(Timeout.KIND, "api.example.com:443", TimeoutConfig.ofDefaults()))
        .isSameAs(timeout);
    assertThat(resilience.snapshots(Retry.KIND)).containsKey("api.example.com:443");
    assertThat(resilience.snapshots(Timeout.KIND)).containsKey("api.example.com:443");
  }

  @Test
  void usesTheConfigNamedWhenOneIsNamed() {
    CircuitBreakerConfig perDevice = opensAfter(3);
    Resilience resilience = builder().config(CircuitBreaker.KIND, "device", perDevice).build();

    assertThat(resilience.get(CircuitBreaker.KIND, "device-42", "device").config())
        .isSameAs(perDevice);
    assertThat(resilience.get(CircuitBreaker.KIND, "device-43", "default").config())
        .isSameAs(CircuitBreakerConfig.ofDefaults());
    assertThat(resilience.get(Retry.KIND, "device-42", "default").config())
        .isSameAs(RetryConfig.ofDefaults());
    assertThatThrownBy(() -> resilience.get(CircuitBreaker.KIND, "x", "devise"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("no circuit breaker config named 'devise'; configs: [DEFAULT, DEVICE]");
  }

  @Test
  void createsFromAGivenConfigOnceAndSharesTheClockWithModulesBuiltOnIt() {
    Resilience resilience = builder().build();
    CircuitBreakerConfig perHost = opensAfter(4);
    RateLimiterConfig perSecond =
        RateLimiterConfig.builder().limit(5).period(Duration.ofSeconds(1)).build();

    CircuitBreaker breaker = resilience.get(CircuitBreaker.KIND, "api.example.com:443", perHost);
    RateLimiter limiter = resilience.get(RateLimiter.KIND, "api.example.com:443", perSecond);

    assertThat(breaker.config()).isSameAs(perHost);
    assertThat(resilience.get(CircuitBreaker.KIND, "api.example.com:443", opensAfter(1)))
        .isSameAs(breaker);
    assertThat(resilience.instances(CircuitBreaker.KIND)).containsKey("api.example.com:443");
    assertThat(limiter.config()).isSameAs(perSecond);
    assertThat(resilience.rateLimiter("api.example.com:443")).isSameAs(limiter);
    assertThat(resilience.clock()).isSameAs(clock);
    assertThat(resilience.scheduler()).isSameAs(scheduler);
    assertThatThrownBy(() -> resilience.get(CircuitBreaker.KIND, "x", (CircuitBreakerConfig) null))
        .isInstanceOf(NullPointerException.class)
        .hasMessageContaining("config");
  }

  @Test
  void anExistingInstanceKeepsItsConfigWhateverConfigIsNamedLater() {
    Resilience resilience = builder().config(CircuitBreaker.KIND, "slow", opensAfter(9)).build();
    CircuitBreaker first = resilience.circuitBreaker("x");

    assertThat(resilience.get(CircuitBreaker.KIND, "x", "slow")).isSameAs(first);
    assertThat(resilience.get(CircuitBreaker.KIND, "x", "not-declared")).isSameAs(first);
    assertThat(first.config()).isSameAs(CircuitBreakerConfig.ofDefaults());
  }

  @Test
  void aDerivedConfigInheritsTheDefaultAsFinallyConfiguredWhateverTheOrder() {
    Resilience resilience =
        builder()
            .derive(CircuitBreaker.KIND, "payments", b -> b.openDuration(Duration.ofMinutes(2)))
            .defaultConfig(CircuitBreaker.KIND, opensAfter(4))
            .build();

    CircuitBreakerConfig payments =
        resilience.config(CircuitBreaker.KIND, "payments").orElseThrow();
    assertThat(payments.openDuration()).isEqualTo(Duration.ofMinutes(2));
    assertThat(payments.consecutiveFailures()).isEqualTo(4);
    assertThat(resilience.circuitBreaker("payments").config()).isSameAs(payments);
  }

  @Test
  void aConfigDerivesFromAnotherNamedConfigDeclaredLater() {
    Resilience resilience =
        builder()
            .derive(Retry.KIND, "checkout", "payments", b -> b.maxDuration(Duration.ofSeconds(3)))
            .derive(Retry.KIND, "payments", b -> b.maxAttempts(6))
            .derive(RateLimiter.KIND, "bulk", "default", b -> b.limit(5))
            .build();

    RetryConfig checkout = resilience.config(Retry.KIND, "checkout").orElseThrow();
    assertThat(checkout.maxAttempts()).isEqualTo(6);
    assertThat(checkout.maxDuration()).contains(Duration.ofSeconds(3));
    assertThat(resilience.config(Retry.KIND, "payments").orElseThrow().maxDuration()).isEmpty();
    assertThat(resilience.config(RateLimiter.KIND, "bulk").orElseThrow().limit()).isEqualTo(5);
    assertThat(resilience.config(Retry.KIND, "nothing")).isEmpty();
  }

  @Test
  void aConfigDerivedFromAnUndeclaredOneFailsNamingBoth() {
    ResilienceBuilder builder =
        builder().derive(CircuitBreaker.KIND, "payments", "paymnets", b -> b.successThreshold(2));

    assertThatThrownBy(builder::build)
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage(
            "circuit breaker config 'payments' derives from 'paymnets', which is not declared;"
                + " declared: [default, payments]");
  }

  @Test
  void aBadDerivedConfigFailsNamingTheConfig() {
    ResilienceBuilder builder =
        builder().derive(CircuitBreaker.KIND, "payments", b -> b.minimumCalls(500));

    assertThatThrownBy(builder::build)
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage(
            "circuit breaker config 'payments': minimumCalls must be in [1, 100] (windowSize),"
                + " was 500");
  }

  @Test
  void configsDerivingFromEachOtherInACycleFail() {
    ResilienceBuilder builder =
        builder()
            .derive(CircuitBreaker.KIND, "a", "b", b -> b)
            .derive(CircuitBreaker.KIND, "b", "a", b -> b);

    assertThatThrownBy(builder::build)
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("circuit breaker configs derive from each other in a cycle: A -> B -> A");
  }

  @Test
  void configNamesAreMatchedIgnoringCaseAndPunctuation() {
    CircuitBreakerConfig config = opensAfter(3);
    Resilience resilience = builder().config(CircuitBreaker.KIND, "user-service", config).build();

    assertThat(resilience.circuitBreaker("USER_SERVICE").config()).isSameAs(config);
    assertThat(resilience.circuitBreaker("user.service").config()).isSameAs(config);
    assertThatThrownBy(
            () ->
                builder()
                    .config(CircuitBreaker.KIND, "user-service", config)
                    .config(CircuitBreaker.KIND, "USER_SERVICE", config))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("clashes with 'user-service'");
  }

  @ParameterizedTest
  @EnumSource(CallMode.class)
  void callRunsTheBreakerOutsideTheRetrySoTheBreakerCountsOneOutcomePerCall(CallMode mode) {
    Resilience resilience =
        builder()
            .defaultConfig(
                Retry.KIND,
                RetryConfig.builder()
                    .maxAttempts(3)
                    .backoff(Backoff.fixed(Duration.ofMillis(100)))
                    .build())
            .build();
    Pipeline pipeline = resilience.pipeline("inventory");
    List<String> trace = new CopyOnWriteArrayList<>();
    resilience.circuitBreaker("inventory").events().subscribe(e -> trace.add("breaker " + kind(e)));
    resilience.retry("inventory").events().subscribe(e -> trace.add("retry " + kind(e)));
    AtomicInteger attempts = new AtomicInteger();

    assertThatThrownBy(
            () ->
                mode.call(
                    pipeline,
                    scheduler,
                    () -> {
                      attempts.incrementAndGet();
                      throw new IOException("down");
                    }))
        .isInstanceOf(RetryExhaustedException.class) // thrown inside the breaker, counted by it
        .hasRootCauseInstanceOf(IOException.class);

    assertThat(pipeline.policies())
        .containsExactly(resilience.circuitBreaker("inventory"), resilience.retry("inventory"));
    assertThat(attempts).hasValue(3);
    assertThat(resilience.circuitBreaker("inventory").snapshot().bufferedCalls()).isEqualTo(1);
    assertThat(resilience.retry("inventory").statistics().totalAttempts()).isEqualTo(3);
    assertThat(trace.get(0)).isEqualTo("breaker CallPermitted");
    assertThat(trace.subList(1, trace.size() - 1))
        .contains("retry RetryScheduled")
        .noneMatch(step -> step.startsWith("breaker"));
    assertThat(trace.get(trace.size() - 1)).isEqualTo("breaker FailureRecorded");
  }

  private static String kind(PolicyEvent event) {
    return event.getClass().getSimpleName();
  }

  @ParameterizedTest
  @EnumSource(CallMode.class)
  void callReturnsTheValueThroughTheNamedPolicies(CallMode mode) throws Exception {
    Resilience resilience = builder().build();
    AtomicInteger attempts = new AtomicInteger();

    String value =
        mode.call(
            resilience.pipeline("inventory"),
            scheduler,
            () -> attempts.incrementAndGet() < 2 ? fail() : "stock");

    assertThat(value).isEqualTo("stock");
    assertThat(resilience.call("inventory", () -> "again")).isEqualTo("again");
    assertThat(resilience.callAsync("inventory", () -> CompletableFuture.completedFuture("async")))
        .succeedsWithin(Duration.ofSeconds(5))
        .isEqualTo("async");
    assertThat(resilience.retry("inventory").statistics().successfulWithRetry()).isEqualTo(1);
  }

  private static String fail() throws IOException {
    throw new IOException("flaky");
  }

  @Test
  void thePipelineIsCachedPerName() {
    Resilience resilience = builder().build();

    assertThat(resilience.pipeline("a")).isSameAs(resilience.pipeline("a"));
    assertThat(resilience.pipeline("a")).isNotSameAs(resilience.pipeline("b"));
  }

  @Test
  void thePipelineHoldsARateLimiterOutsideTheBreakerOnlyWhenOneIsDeclaredForTheName() {
    Resilience resilience =
        builder()
            .config(
                RateLimiter.KIND,
                "github",
                RateLimiterConfig.builder().limit(1).period(Duration.ofMinutes(1)).build())
            .build();

    assertThat(resilience.pipeline("github").policies())
        .containsExactly(
            resilience.rateLimiter("github"),
            resilience.circuitBreaker("github"),
            resilience.retry("github"));
    assertThat(resilience.pipeline("other").policies()).hasSize(2);
    assertThat(resilience.find(RateLimiter.KIND, "other")).isEmpty();
  }

  @ParameterizedTest
  @EnumSource(CallMode.class)
  void aLimitedPipelineRejectsOverTheLimitWithoutCountingItAgainstTheBreaker(CallMode mode)
      throws Exception {
    Resilience resilience =
        builder()
            .config(
                RateLimiter.KIND,
                "github",
                RateLimiterConfig.builder().limit(1).period(Duration.ofMinutes(1)).build())
            .build();
    Pipeline pipeline = resilience.pipeline("github");

    assertThat(mode.call(pipeline, scheduler, () -> "one")).isEqualTo("one");
    assertThatThrownBy(() -> mode.call(pipeline, scheduler, () -> "two"))
        .isInstanceOf(RateLimitedException.class);
    assertThat(resilience.circuitBreaker("github").snapshot().bufferedCalls()).isEqualTo(1);
  }

  @ParameterizedTest
  @EnumSource(CallMode.class)
  void aDisabledRegistryPassesCallsStraightThrough(CallMode mode) {
    Resilience resilience = builder().enabled(false).build();
    AtomicInteger attempts = new AtomicInteger();

    assertThatThrownBy(
            () ->
                mode.call(
                    resilience.pipeline("inventory"),
                    scheduler,
                    () -> {
                      attempts.incrementAndGet();
                      throw new IOException("down");
                    }))
        .isExactlyInstanceOf(IOException.class);

    assertThat(attempts).hasValue(1);
    assertThat(resilience.pipeline("inventory").policies()).isEmpty();
    assertThat(resilience.instances(CircuitBreaker.KIND)).isEmpty();
    assertThat(resilience.instances(Retry.KIND)).isEmpty();
  }

  @Test
  void findsWithoutCreating() {
    Resilience resilience = builder().build();

    assertThat(resilience.find(CircuitBreaker.KIND, "a")).isEmpty();
    assertThat(resilience.find(Retry.KIND, "a")).isEmpty();
    assertThat(resilience.find(RateLimiter.KIND, "a")).isEmpty();
    assertThat(resilience.instances(CircuitBreaker.KIND)).isEmpty();

    CircuitBreaker breaker = resilience.circuitBreaker("a");
    Retry retry = resilience.retry("a");
    RateLimiter limiter = resilience.rateLimiter("a");
    assertThat(resilience.find(CircuitBreaker.KIND, "a")).containsSame(breaker);
    assertThat(resilience.find(Retry.KIND, "a")).containsSame(retry);
    assertThat(resilience.find(RateLimiter.KIND, "a")).containsSame(limiter);
  }

  @Test
  void listsEveryBreakerByNameWithItsSnapshot() {
    Resilience resilience = builder().build();
    resilience.circuitBreaker("b");
    resilience.forceOpen("c");
    resilience.circuitBreaker("a");
    resilience.retry("r");
    resilience.rateLimiter("l");

    assertThat(resilience.instances(CircuitBreaker.KIND)).containsOnlyKeys("a", "b", "c");
    assertThat(resilience.instances(CircuitBreaker.KIND).keySet()).containsExactly("a", "b", "c");
    assertThat(resilience.instances(CircuitBreaker.KIND).get("c").state())
        .isEqualTo(CircuitBreaker.State.FORCED_OPEN);
    assertThat(resilience.instances(CircuitBreaker.KIND).get("a").state())
        .isEqualTo(CircuitBreaker.State.CLOSED);
    assertThat(resilience.instances(Retry.KIND)).containsOnlyKeys("r");
    assertThat(resilience.instances(RateLimiter.KIND)).containsOnlyKeys("l");
  }

  @Test
  void forceOpenRejectsEveryCallUntilReset() throws Exception {
    Resilience resilience = builder().build();

    CircuitBreaker breaker = resilience.forceOpen("payments");

    assertThat(resilience.circuitBreaker("payments")).isSameAs(breaker);
    assertThatThrownBy(() -> resilience.call("payments", () -> "unreached"))
        .isInstanceOfSatisfying(
            CircuitBreakerOpenException.class,
            e -> assertThat(e.policyName()).isEqualTo("payments"));
    assertThat(resilience.reset(CircuitBreaker.KIND, "payments")).isTrue();
    assertThat(resilience.call("payments", () -> "through")).isEqualTo("through");
  }

  @Test
  void resetsOneBreakerOrAllWithoutCreatingAny() {
    Resilience resilience = builder().build();
    resilience.forceOpen("a");
    resilience.forceOpen("b");

    assertThat(resilience.reset(CircuitBreaker.KIND, "missing")).isFalse();
    assertThat(resilience.find(CircuitBreaker.KIND, "missing")).isEmpty();
    assertThat(resilience.resetAll(CircuitBreaker.KIND)).isEqualTo(2);
    assertThat(resilience.instances(CircuitBreaker.KIND).values())
        .allMatch(s -> s.state() == CircuitBreaker.State.CLOSED);
  }

  @Test
  void publishesPolicyAddedOnceForEachNewInstance() {
    Resilience resilience = builder().build();
    List<PolicyAdded> added = new ArrayList<>();
    resilience.events().subscribe(PolicyAdded.class, added::add);

    CircuitBreaker breaker = resilience.circuitBreaker("a");
    resilience.circuitBreaker("a");
    Retry retry = resilience.retry("a");
    resilience.pipeline("a");

    assertThat(added).extracting(PolicyAdded::policy).containsExactly(breaker, retry);
    assertThat(added).extracting(PolicyAdded::policyName).containsExactly("a", "a");
    assertThat(added.get(0).wallTime()).isEqualTo(clock.wallTime());
  }

  @Test
  void aListenerMayUseTheRegistryWhileAnInstanceIsAdded() {
    Resilience resilience = builder().build();
    List<String> seen = new ArrayList<>();
    resilience
        .events()
        .subscribe(
            PolicyAdded.class,
            e -> {
              if (e.policy() instanceof CircuitBreaker) {
                // attach something per breaker: a lookup from inside the listener must not deadlock
                seen.add(resilience.retry(e.policyName() + "-audit").name());
                seen.add(
                    String.valueOf(
                        resilience.find(CircuitBreaker.KIND, e.policyName()).isPresent()));
              }
            });

    resilience.circuitBreaker("a");

    assertThat(seen).containsExactly("a-audit", "true");
  }

  @Test
  void aMetricsListenerSeesEveryEventOfEveryNewBreaker() throws Exception {
    Resilience resilience = builder().build();
    List<FailureRecorded> failures = new ArrayList<>();
    resilience
        .events()
        .subscribe(
            PolicyAdded.class,
            e -> {
              if (e.policy() instanceof CircuitBreaker) {
                ((CircuitBreaker) e.policy())
                    .events()
                    .subscribe(FailureRecorded.class, failures::add);
              }
            });

    assertThatThrownBy(() -> resilience.call("x", () -> fail()))
        .hasRootCauseInstanceOf(IOException.class);

    assertThat(failures).extracting(FailureRecorded::policyName).containsExactly("x");
  }

  @Test
  void retriesWaitThroughTheInjectedScheduler() throws Exception {
    Resilience resilience =
        builder()
            .defaultConfig(
                Retry.KIND,
                RetryConfig.builder().backoff(Backoff.fixed(Duration.ofSeconds(2))).build())
            .build();
    AtomicInteger attempts = new AtomicInteger();

    String value = resilience.call("x", () -> attempts.incrementAndGet() < 3 ? fail() : "ok");

    assertThat(value).isEqualTo("ok");
    assertThat(scheduler.sleeps()).containsExactly(Duration.ofSeconds(2), Duration.ofSeconds(2));
  }

  @Test
  void rejectsBadArgumentsNamingThem() {
    Resilience resilience = builder().build();

    assertThatThrownBy(() -> resilience.circuitBreaker(" "))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("name must not be blank");
    assertThatThrownBy(() -> resilience.retry(null))
        .isInstanceOf(NullPointerException.class)
        .hasMessage("name must not be null");
    assertThatThrownBy(() -> Resilience.builder().maxInstances(0))
        .hasMessage("maxInstances must be in [1, 100000000], was 0");
    assertThatThrownBy(() -> Resilience.builder().idleEviction(Duration.ofSeconds(-1)))
        .hasMessage("idleEviction must be in [0, PT8760H], was PT-1S");
    assertThatThrownBy(() -> Resilience.builder().defaultTimeout(Duration.ZERO))
        .hasMessage("defaultTimeout must be in (0, PT8760H], was PT0S");
    assertThatThrownBy(() -> resilience.callAsync("x", null))
        .isInstanceOf(NullPointerException.class);
  }

  @Test
  void ofDefaultsUsesTheBuiltInDefaults() {
    Resilience resilience = Resilience.ofDefaults();

    assertThat(resilience.enabled()).isTrue();
    assertThat(resilience.maxInstances()).isEqualTo(10_000);
    assertThat(resilience.idleEviction()).isEmpty();
    assertThat(resilience.defaultTimeout()).isEmpty();
    assertThat(resilience.config(CircuitBreaker.KIND, "default"))
        .containsSame(CircuitBreakerConfig.ofDefaults());
    assertThat(resilience.config(Retry.KIND, "default")).containsSame(RetryConfig.ofDefaults());
    assertThat(resilience.config(RateLimiter.KIND, "default"))
        .containsSame(RateLimiterConfig.ofDefaults());
  }
}
