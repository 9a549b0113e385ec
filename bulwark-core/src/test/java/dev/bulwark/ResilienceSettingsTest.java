package dev.bulwark;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.bulwark.circuitbreaker.CircuitBreaker;
import dev.bulwark.circuitbreaker.CircuitBreakerConfig;
import dev.bulwark.ratelimit.RateLimiterConfig;
import dev.bulwark.retry.Backoff;
import dev.bulwark.retry.Retry;
import dev.bulwark.retry.RetryConfig;
import dev.bulwark.test.CallMode;
import dev.bulwark.test.ManualClock;
import dev.bulwark.test.ManualScheduler;
import java.io.IOException;
import java.time.Duration;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.EnumSource;

class ResilienceSettingsTest {
  private final ManualClock clock = ManualClock.create();
  private final ManualScheduler scheduler = new ManualScheduler(clock);

  private ResilienceBuilder builder() {
    return Resilience.builder().clock(clock).scheduler(scheduler);
  }

  private Resilience fromEnvironment(Map<String, String> environment) {
    return builder().environment(environment).build();
  }

  @Test
  void readsEveryKindOfSettingFromAnEnvironmentLikeMap() {
    Resilience resilience =
        fromEnvironment(
            Map.ofEntries(
                Map.entry("PATH", "/usr/bin"), // not ours: ignored
                Map.entry("BULWARK_ENABLED", "TRUE"),
                Map.entry("BULWARK_TIMEOUT", "2s"),
                Map.entry("BULWARK_MAX_INSTANCES", "500"),
                Map.entry("BULWARK_IDLE_EVICTION", "10m"),
                Map.entry("BULWARK_RETRY_MAX_ATTEMPTS", "5"),
                Map.entry("BULWARK_RETRY_INITIAL_DELAY", "200ms"),
                Map.entry("BULWARK_RETRY_MAX_DELAY", "PT3S"),
                Map.entry("BULWARK_RETRY_MULTIPLIER", "1.5"),
                Map.entry("BULWARK_RETRY_JITTER", "equal"),
                Map.entry("BULWARK_RETRY_MAX_DURATION", "1m"),
                Map.entry("BULWARK_RETRY_ATTEMPT_TIMEOUT", "800ms"),
                Map.entry("BULWARK_BREAKER_FAILURE_THRESHOLD", "3"),
                Map.entry("BULWARK_BREAKER_FAILURE_RATE", "25.5"),
                Map.entry("BULWARK_BREAKER_SLOW_CALL_DURATION", "1500ms"),
                Map.entry("BULWARK_BREAKER_SLOW_CALL_RATE", "80"),
                Map.entry("BULWARK_BREAKER_WINDOW_SIZE", "50"),
                Map.entry("BULWARK_BREAKER_MINIMUM_CALLS", "10"),
                Map.entry("BULWARK_BREAKER_OPEN_DURATION", "45s"),
                Map.entry("BULWARK_BREAKER_OPEN_DURATION_MULTIPLIER", "2"),
                Map.entry("BULWARK_BREAKER_MAX_OPEN_DURATION", "10m"),
                Map.entry("BULWARK_BREAKER_HALF_OPEN_MAX_CALLS", "4"),
                Map.entry("BULWARK_BREAKER_SUCCESS_THRESHOLD", "3"),
                Map.entry("BULWARK_RATE_LIMITER_LIMIT", "20"),
                Map.entry("BULWARK_RATE_LIMITER_PERIOD", "2s"),
                Map.entry("BULWARK_RATE_LIMITER_BURST", "40"),
                Map.entry("BULWARK_RATE_LIMITER_MAX_WAIT", "100ms"),
                Map.entry("BULWARK_RATE_LIMITER_ALGORITHM", "token-bucket")));

    assertThat(resilience.enabled()).isTrue();
    assertThat(resilience.defaultTimeout()).contains(Duration.ofSeconds(2));
    assertThat(resilience.maxInstances()).isEqualTo(500);
    assertThat(resilience.idleEviction()).contains(Duration.ofMinutes(10));
    RetryConfig retry = resilience.retry("any").config();
    assertThat(retry.maxAttempts()).isEqualTo(5);
    assertThat(retry.backoff())
        .isEqualTo(
            Backoff.exponential(Duration.ofMillis(200), 1.5, Duration.ofSeconds(3))
                .withJitter(Backoff.Jitter.EQUAL));
    assertThat(retry.maxDuration()).contains(Duration.ofMinutes(1));
    assertThat(retry.attemptTimeout()).contains(Duration.ofMillis(800));
    CircuitBreakerConfig breaker = resilience.circuitBreaker("any").config();
    assertThat(breaker.consecutiveFailures()).isEqualTo(3);
    assertThat(breaker.failureRateThreshold()).isEqualTo(25.5f);
    assertThat(breaker.slowCallDuration()).contains(Duration.ofMillis(1500));
    assertThat(breaker.slowCallRateThreshold()).isEqualTo(80f);
    assertThat(breaker.windowSize()).isEqualTo(50);
    assertThat(breaker.minimumCalls()).isEqualTo(10);
    assertThat(breaker.openDuration()).isEqualTo(Duration.ofSeconds(45));
    assertThat(breaker.openDurationMultiplier()).isEqualTo(2.0);
    assertThat(breaker.maxOpenDuration()).isEqualTo(Duration.ofMinutes(10));
    assertThat(breaker.halfOpenMaxCalls()).isEqualTo(4);
    assertThat(breaker.successThreshold()).isEqualTo(3);
    RateLimiterConfig limiter = resilience.rateLimiter("any").config();
    assertThat(limiter.limit()).isEqualTo(20);
    assertThat(limiter.period()).isEqualTo(Duration.ofSeconds(2));
    assertThat(limiter.burst()).isEqualTo(40);
    assertThat(limiter.maxWait()).isEqualTo(Duration.ofMillis(100));
    assertThat(limiter.algorithm()).isEqualTo(RateLimiterConfig.Algorithm.TOKEN_BUCKET);
  }

  @Test
  void readsPropertiesUnderTheSameNamesDottedAndDashed() {
    Resilience resilience =
        Resilience.fromProperties(
            Map.of(
                "spring.application.name", "shop", // not ours: ignored
                "bulwark.retry.max-attempts", "4",
                "bulwark.breaker.open-duration", "20s",
                "bulwark.breaker.payments.open-duration", "2m",
                "bulwark.breaker.api.github.com.failure-threshold", "2",
                "bulwark.rate-limiter.github.limit", "7",
                "Bulwark.Max-Instances", "42"));

    assertThat(resilience.retry("x").config().maxAttempts()).isEqualTo(4);
    assertThat(resilience.circuitBreaker("x").config().openDuration())
        .isEqualTo(Duration.ofSeconds(20));
    assertThat(resilience.circuitBreaker("payments").config().openDuration())
        .isEqualTo(Duration.ofMinutes(2));
    assertThat(resilience.circuitBreaker("api.github.com").config().consecutiveFailures())
        .isEqualTo(2);
    assertThat(resilience.circuitBreaker("api.github.com").config().openDuration())
        .isEqualTo(Duration.ofSeconds(20)); // a per-name setting starts from the default
    assertThat(resilience.rateLimiter("github").config().limit()).isEqualTo(7);
    assertThat(resilience.maxInstances()).isEqualTo(42);
  }

  @Test
  void readsAPropertiesObjectWithItsDefaults() {
    Properties defaults = new Properties();
    defaults.setProperty("bulwark.retry.max-attempts", "6");
    Properties properties = new Properties(defaults);
    properties.setProperty("bulwark.enabled", "false");

    Resilience resilience = Resilience.fromProperties(properties);

    assertThat(resilience.enabled()).isFalse();
    assertThat(resilience.config(Retry.KIND, "default").orElseThrow().maxAttempts()).isEqualTo(6);
  }

  @Test
  void aPerNameVariableAppliesOnTopOfTheConfigOfThatNameDeclaredInCode() {
    Resilience resilience =
        builder()
            .derive(CircuitBreaker.KIND, "user-service", b -> b.successThreshold(3))
            .environment(
                Map.of(
                    "BULWARK_BREAKER_USER_SERVICE_OPEN_DURATION", "90s",
                    "BULWARK_BREAKER_PAYMENTS_MAX_OPEN_DURATION", "1h",
                    "BULWARK_BREAKER_mixed_Case_SUCCESS_THRESHOLD", "4"))
            .build();

    CircuitBreakerConfig userService = resilience.circuitBreaker("user-service").config();
    assertThat(userService.openDuration()).isEqualTo(Duration.ofSeconds(90));
    assertThat(userService.successThreshold()).isEqualTo(3);
    assertThat(resilience.circuitBreaker("payments").config().maxOpenDuration())
        .isEqualTo(Duration.ofHours(1)); // the longest setting name wins over OPEN_DURATION
    assertThat(resilience.circuitBreaker("mixed-case").config().successThreshold()).isEqualTo(4);
    assertThat(resilience.circuitBreaker("other").config().openDuration())
        .isEqualTo(Duration.ofSeconds(30));
  }

  @Test
  void aPerNameRateLimiterVariablePutsALimiterInThePipelineOfThatName() {
    Resilience resilience = fromEnvironment(Map.of("BULWARK_RATE_LIMITER_GITHUB_LIMIT", "3"));

    assertThat(resilience.pipeline("github").policies())
        .containsExactly(
            resilience.rateLimiter("github"),
            resilience.circuitBreaker("github"),
            resilience.retry("github"));
    assertThat(resilience.rateLimiter("github").config().limit()).isEqualTo(3);
    assertThat(resilience.pipeline("gitlab").policies()).hasSize(2);
  }

  @Test
  void aDefaultVariableReachesDerivedConfigsButNotConfigsDeclaredOutright() {
    CircuitBreakerConfig outright = CircuitBreakerConfig.builder().successThreshold(5).build();
    Resilience resilience =
        builder()
            .derive(CircuitBreaker.KIND, "derived", b -> b.successThreshold(2))
            .config(CircuitBreaker.KIND, "outright", outright)
            .environment(Map.of("BULWARK_BREAKER_OPEN_DURATION", "5s"))
            .build();

    assertThat(resilience.config(CircuitBreaker.KIND, "derived").orElseThrow().openDuration())
        .isEqualTo(Duration.ofSeconds(5));
    assertThat(resilience.config(CircuitBreaker.KIND, "outright")).containsSame(outright);
  }

  @Test
  void settingsOverrideTheCodeWhateverTheOrderAndALaterLayerWins() {
    Resilience resilience =
        builder()
            .properties(Map.of("bulwark.retry.max-attempts", "4", "bulwark.max-instances", "7"))
            .environment(Map.of("BULWARK_RETRY_MAX_ATTEMPTS", "9"))
            .defaultConfig(Retry.KIND, RetryConfig.builder().maxAttempts(2).build())
            .maxInstances(3)
            .build();

    assertThat(resilience.config(Retry.KIND, "default").orElseThrow().maxAttempts()).isEqualTo(9);
    assertThat(resilience.maxInstances()).isEqualTo(7);
  }

  @ParameterizedTest
  @CsvSource({
    "PT30S, PT30S",
    "30s, PT30S",
    "500ms, PT0.5S",
    "2m, PT2M",
    "1h, PT1H",
    "1d, PT24H",
    "250us, PT0.00025S",
    "7ns, PT0.000000007S",
    "' 15 S ', PT15S",
    "p1dt2h, PT26H"
  })
  void acceptsIsoAndSimpleDurations(String text, String expected) {
    Resilience resilience = fromEnvironment(Map.of("BULWARK_BREAKER_OPEN_DURATION", text));

    assertThat(resilience.config(CircuitBreaker.KIND, "default").orElseThrow().openDuration())
        .isEqualTo(Duration.parse(expected));
  }

  @ParameterizedTest
  @CsvSource(
      delimiter = '|',
      value = {
        "BULWARK_RETRY_MAX_ATTEMPTS | 0 | BULWARK_RETRY_MAX_ATTEMPTS must be in [1, 1000], was 0",
        "BULWARK_RETRY_MAX_ATTEMPTS | abc | BULWARK_RETRY_MAX_ATTEMPTS is not an integer: 'abc'",
        "BULWARK_RETRY_MAX_ATTEMPTS | 99999999999 | BULWARK_RETRY_MAX_ATTEMPTS must be in [1,"
            + " 1000], was 99999999999",
        "BULWARK_RETRY_INITIAL_DELAY | 0ms | BULWARK_RETRY_INITIAL_DELAY must be in (0, PT8760H],"
            + " was 0ms",
        "BULWARK_RETRY_MAX_DELAY | 400d | BULWARK_RETRY_MAX_DELAY must be in (0, PT8760H], was"
            + " 400d",
        "BULWARK_RETRY_MULTIPLIER | 0.5 | BULWARK_RETRY_MULTIPLIER must be in [1, 1000], was"
            + " 0.5",
        "BULWARK_RETRY_MULTIPLIER | NaN | BULWARK_RETRY_MULTIPLIER is not a number: 'NaN'",
        "BULWARK_RETRY_JITTER | wild | BULWARK_RETRY_JITTER must be one of [NONE, FULL, EQUAL,"
            + " DECORRELATED], was 'wild'",
        "BULWARK_RETRY_MAX_DURATION | -1s | BULWARK_RETRY_MAX_DURATION must be in (0, PT8760H], was"
            + " -1s",
        "BULWARK_RETRY_ATTEMPT_TIMEOUT | PT0S | BULWARK_RETRY_ATTEMPT_TIMEOUT must be in (0,"
            + " PT8760H], was PT0S",
        "BULWARK_BREAKER_OPEN_DURATION | abc | BULWARK_BREAKER_OPEN_DURATION is not a duration:"
            + " 'abc' (use ISO-8601 such as PT30S, or a whole number and a unit: 500ms, 30s, 2m,"
            + " 1h, 1d; also ns, us)",
        "BULWARK_BREAKER_OPEN_DURATION | 30 | BULWARK_BREAKER_OPEN_DURATION is not a duration: '30'"
            + " (a bare number needs a unit: 30s, 30ms, ...)",
        "BULWARK_BREAKER_OPEN_DURATION | 0s | BULWARK_BREAKER_OPEN_DURATION must be in (0,"
            + " PT8760H], was 0s",
        "BULWARK_BREAKER_FAILURE_THRESHOLD | -1 | BULWARK_BREAKER_FAILURE_THRESHOLD must be in [0,"
            + " 1000000], was -1",
        "BULWARK_BREAKER_FAILURE_RATE | 150 | BULWARK_BREAKER_FAILURE_RATE must be in (0, 100],"
            + " was 150",
        "BULWARK_BREAKER_FAILURE_RATE | half | BULWARK_BREAKER_FAILURE_RATE is not a number:"
            + " 'half'",
        "BULWARK_BREAKER_SLOW_CALL_RATE | 0 | BULWARK_BREAKER_SLOW_CALL_RATE must be in (0, 100],"
            + " was 0",
        "BULWARK_BREAKER_SLOW_CALL_DURATION | PT-1S | BULWARK_BREAKER_SLOW_CALL_DURATION must be"
            + " in [0, PT8760H], was PT-1S",
        "BULWARK_BREAKER_WINDOW_SIZE | 0 | BULWARK_BREAKER_WINDOW_SIZE must be in [1, 100000], was"
            + " 0",
        "BULWARK_BREAKER_MINIMUM_CALLS | 200 | BULWARK_BREAKER_MINIMUM_CALLS must be in [1, 100]"
            + " (windowSize), was 200",
        "BULWARK_BREAKER_OPEN_DURATION_MULTIPLIER | 101 | BULWARK_BREAKER_OPEN_DURATION_MULTIPLIER"
            + " must be in [1, 100], was 101",
        "BULWARK_BREAKER_MAX_OPEN_DURATION | 1s | BULWARK_BREAKER_MAX_OPEN_DURATION must be in"
            + " [PT30S (openDuration), PT8760H], was 1s",
        "BULWARK_BREAKER_HALF_OPEN_MAX_CALLS | 0 | BULWARK_BREAKER_HALF_OPEN_MAX_CALLS must be in"
            + " [1, 10000], was 0",
        "BULWARK_BREAKER_SUCCESS_THRESHOLD | 0 | BULWARK_BREAKER_SUCCESS_THRESHOLD must be in [1,"
            + " 1000000], was 0",
        "BULWARK_BREAKER_PAYMENTS_SUCCESS_THRESHOLD | 0 |"
            + " BULWARK_BREAKER_PAYMENTS_SUCCESS_THRESHOLD must be in [1, 1000000], was 0",
        "BULWARK_RATE_LIMITER_LIMIT | 0 | BULWARK_RATE_LIMITER_LIMIT must be in [1, 2147483647],"
            + " was 0",
        "BULWARK_RATE_LIMITER_PERIOD | 0s | BULWARK_RATE_LIMITER_PERIOD must be in (0, PT8760H],"
            + " was 0s",
        "BULWARK_RATE_LIMITER_BURST | 0 | BULWARK_RATE_LIMITER_BURST must be in [1, 2147483647],"
            + " was 0",
        "BULWARK_RATE_LIMITER_MAX_WAIT | PT-1S | BULWARK_RATE_LIMITER_MAX_WAIT must be in [0,"
            + " PT8760H], was PT-1S",
        "BULWARK_RATE_LIMITER_ALGORITHM | leaky | BULWARK_RATE_LIMITER_ALGORITHM must be one of"
            + " [TOKEN_BUCKET, FIXED_WINDOW], was 'leaky'",
        "BULWARK_ENABLED | yes | BULWARK_ENABLED must be true or false, was 'yes'",
        "BULWARK_TIMEOUT | PT0S | BULWARK_TIMEOUT must be in (0, PT8760H], was PT0S",
        "BULWARK_MAX_INSTANCES | 0 | BULWARK_MAX_INSTANCES must be in [1, 100000000], was 0",
        "BULWARK_IDLE_EVICTION | soon | BULWARK_IDLE_EVICTION is not a duration: 'soon' (use"
            + " ISO-8601 such as PT30S, or a whole number and a unit: 500ms, 30s, 2m, 1h, 1d; also"
            + " ns, us)",
      })
  void aBadValueFailsNamingTheVariableTheValueAndTheRange(
      String variable, String value, String message) {
    assertThatThrownBy(() -> fromEnvironment(Map.of(variable, value)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage(message);
  }

  @Test
  void aBadPropertyFailsNamingTheKeyAsWritten() {
    assertThatThrownBy(() -> Resilience.fromProperties(Map.of("bulwark.retry.max-attempts", "0")))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("bulwark.retry.max-attempts must be in [1, 1000], was 0");
  }

  @Test
  void valuesThatDoNotFitTogetherFailNamingTheConfigAndItsSettings() {
    ResilienceBuilder builder =
        builder()
            .derive(CircuitBreaker.KIND, "payments", b -> b.minimumCalls(50))
            .environment(Map.of("BULWARK_BREAKER_PAYMENTS_WINDOW_SIZE", "10"));

    assertThatThrownBy(builder::build)
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage(
            "circuit breaker config 'payments' with BULWARK_BREAKER_PAYMENTS_WINDOW_SIZE=10:"
                + " minimumCalls must be in [1, 10] (windowSize), was 50");
  }

  @ParameterizedTest
  @CsvSource(
      delimiter = '|',
      value = {
        "BULWARK_RETRY_MAX_ATEMPTS | ; did you mean BULWARK_RETRY_MAX_ATTEMPTS?",
        "BULWARK_BRAKER_OPEN_DURATION | ; did you mean BULWARK_BREAKER_OPEN_DURATION?",
        "BULWARK_BREAKER_PAYMENTS_OPEN_DURATON | ; did you mean"
            + " BULWARK_BREAKER_PAYMENTS_OPEN_DURATION?",
        "BULWARK_ENABLE | ; did you mean BULWARK_ENABLED?",
        "BULWARK_RATELIMITER_LIMIT | ; did you mean BULWARK_RATE_LIMITER_LIMIT?",
        "BULWARK_SOMETHING_ELSE_ENTIRELY | ''",
      })
  void anUnknownVariableFailsSuggestingTheNearestKnownOne(String variable, String suggestion) {
    assertThatThrownBy(() -> fromEnvironment(Map.of(variable, "1")))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage(
            "unknown Bulwark setting "
                + variable
                + suggestion
                + " (every setting is listed in docs/configuration.md; remove or rename it)");
  }

  @Test
  void anUnknownPropertySuggestsTheNearestKeyInPropertiesForm() {
    assertThatThrownBy(
            () -> Resilience.fromProperties(Map.of("bulwark.breaker.payments.open-duraton", "1s")))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining(
            "unknown Bulwark setting bulwark.breaker.payments.open-duraton;"
                + " did you mean bulwark.breaker.payments.open-duration?");
  }

  @ParameterizedTest
  @EnumSource(CallMode.class)
  void theSwitchOffPassesCallsStraightThrough(CallMode mode) {
    Resilience resilience = fromEnvironment(Map.of("BULWARK_ENABLED", "false"));
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
    assertThat(resilience.instances(CircuitBreaker.KIND)).isEmpty();
  }

  @Test
  void fromEnvironmentReadsTheProcessEnvironment() {
    boolean anyBulwarkVariable =
        System.getenv().keySet().stream().anyMatch(k -> k.startsWith("BULWARK_"));

    if (!anyBulwarkVariable) {
      assertThat(Resilience.fromEnvironment().enabled()).isTrue();
      assertThat(Resilience.fromEnvironment().maxInstances()).isEqualTo(10_000);
    } else {
      assertThat(Resilience.fromEnvironment()).isNotNull();
    }
  }

  // ---- hardening (issue 9, item 9) ----

  @ParameterizedTest
  @CsvSource(
      delimiter = '|',
      value = {
        "BULWARK_BREAKER_FAILURE_RATE | 50.1234567891 | BULWARK_BREAKER_FAILURE_RATE has too many"
            + " decimals: '50.1234567891' (at most 9)",
        "BULWARK_BREAKER_FAILURE_RATE | 100.0000001 | BULWARK_BREAKER_FAILURE_RATE must be in (0,"
            + " 100], was 100.0000001",
        "BULWARK_BREAKER_OPEN_DURATION | 0 | BULWARK_BREAKER_OPEN_DURATION is not a duration: '0'"
            + " (a bare number needs a unit: 0s, 0ms, ...)",
        "BULWARK_BREAKER_SLOW_CALL_DURATION | -1ms | BULWARK_BREAKER_SLOW_CALL_DURATION must be in"
            + " [0, PT8760H], was -1ms",
        "BULWARK_BREAKER_OPEN_DURATION | 99999999999999999999d | BULWARK_BREAKER_OPEN_DURATION must"
            + " be in (0, PT8760H], was 99999999999999999999d",
        "BULWARK_BREAKER_OPEN_DURATION | PT99999999999999999999H | BULWARK_BREAKER_OPEN_DURATION"
            + " must be in (0, PT8760H], was PT99999999999999999999H",
        "BULWARK_BREAKER_WINDOW_SIZE | 2.5 | BULWARK_BREAKER_WINDOW_SIZE is not an integer: '2.5'",
        "BULWARK_MAX_INSTANCES | 99999999999999999999999 | BULWARK_MAX_INSTANCES must be in [1,"
            + " 100000000], was 99999999999999999999999",
      })
  void aValueFailsSayingWhatIsActuallyWrong(String variable, String value, String message) {
    assertThatThrownBy(() -> fromEnvironment(Map.of(variable, value)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage(message);
  }

  @Test
  void aPropertiesValueThatIsNotTextIsReadAsItsTextOrRefusedNamingTheKey() {
    Properties properties = new Properties();
    properties.put("bulwark.retry.max-attempts", 4);
    properties.put("bulwark.breaker.open-duration", Duration.ofSeconds(5));
    properties.put("bulwark.enabled", Boolean.FALSE);
    properties.put(42, "not ours"); // a key that is not text cannot be a Bulwark setting

    Resilience resilience = builder().properties(properties).build();

    assertThat(resilience.config(Retry.KIND, "default").orElseThrow().maxAttempts()).isEqualTo(4);
    assertThat(resilience.config(CircuitBreaker.KIND, "default").orElseThrow().openDuration())
        .isEqualTo(Duration.ofSeconds(5));
    assertThat(resilience.enabled()).isFalse();
    properties.put("bulwark.breaker.window-size", new Object());
    assertThatThrownBy(() -> builder().properties(properties).build())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage(
            "bulwark.breaker.window-size has a value of type java.lang.Object; give text, a"
                + " number, a boolean or a Duration");
  }

  @Test
  void oneSettingUnderTwoSpellingsInOneLayerFailsNamingBoth() {
    assertThatThrownBy(
            () ->
                fromEnvironment(
                    Map.of(
                        "BULWARK_BREAKER_USER_SERVICE_OPEN_DURATION", "1s",
                        "BULWARK_BREAKER_user_service_OPEN_DURATION", "2s")))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage(
            "BULWARK_BREAKER_USER_SERVICE_OPEN_DURATION and"
                + " BULWARK_BREAKER_user_service_OPEN_DURATION are the same setting; keep one");
    assertThatThrownBy(
            () ->
                Resilience.fromProperties(
                    Map.of("bulwark.retry.max-attempts", "3", "bulwark.retry.max_attempts", "4")))
        .hasMessage(
            "bulwark.retry.max-attempts and bulwark.retry.max_attempts are the same setting;"
                + " keep one");
  }

  @Test
  void theSameSettingInTwoLayersIsNoConflictTheLaterWins() {
    Resilience resilience =
        builder()
            .properties(Map.of("bulwark.retry.max-attempts", "3"))
            .properties(Map.of("bulwark.retry.max_attempts", "4"))
            .build();

    assertThat(resilience.config(Retry.KIND, "default").orElseThrow().maxAttempts()).isEqualTo(4);
  }

  @Test
  void aNameThatIsNotAsciiIsRefusedPointingAtTheCharacter() {
    assertThatThrownBy(
            () -> fromEnvironment(Map.of("BULWARK_BREAKER_PAYMENT\u015e_OPEN_DURATION", "1s")))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage(
            "Bulwark setting names are ASCII: BULWARK_BREAKER_PAYMENT\u015e_OPEN_DURATION has"
                + " '\u015e' at index 23");
  }
}
