package dev.bulwark.retry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.bulwark.test.ManualClock;
import dev.bulwark.test.ManualScheduler;
import java.io.IOException;
import java.security.GeneralSecurityException;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.TimeoutException;
import java.util.function.Predicate;
import javax.security.auth.login.LoginException;
import org.junit.jupiter.api.Test;

class RetryConfigTest {

  @Test
  void defaultsTryThreeTimesWithJitteredExponentialBackoffAndNoBudget() {
    RetryConfig config = RetryConfig.ofDefaults();

    assertThat(config.maxAttempts()).isEqualTo(3);
    assertThat(config.backoff())
        .isEqualTo(
            Backoff.exponential(Duration.ofMillis(100), 2.0, Duration.ofSeconds(10))
                .withJitter(Backoff.Jitter.FULL));
    assertThat(config.maxDuration()).isEmpty();
    assertThat(config.attemptTimeout()).isEmpty();
    assertThat(config.attemptTimeoutMultiplier()).isEqualTo(1.0);
    assertThat(config.maxAttemptTimeout()).isEmpty();
    assertThat(config.retryOn()).containsExactly(Exception.class);
    assertThat(config.retryIf()).isEmpty();
    assertThat(config.retryOnResult()).isEmpty();
    assertThat(config.maxServerDelay()).isEqualTo(Duration.ofSeconds(300));
    assertThat(config.respectServerDelay()).isTrue();
    assertThat(config.serverDelay()).isEmpty();
    assertThat(config.budget()).isEmpty();
    assertThat(config.abortOn())
        .containsExactly(
            SecurityException.class,
            GeneralSecurityException.class,
            LoginException.class,
            IllegalArgumentException.class,
            NullPointerException.class,
            ClassCastException.class,
            UnsupportedOperationException.class,
            InterruptedException.class);
    assertThat(Retry.ofDefaults("api").config()).isSameAs(config);
  }

  @Test
  void abortOnAddsToTheFailuresNeverRetried() {
    RetryConfig config = RetryConfig.builder().abortOn(TimeoutException.class).build();

    assertThat(config.abortOn())
        .startsWith(SecurityException.class)
        .endsWith(TimeoutException.class);
    assertThat(config.abortOn()).contains(LoginException.class);
  }

  @Test
  void retryIfSetAloneDecidesAlone() {
    Predicate<Throwable> timeouts = e -> e instanceof TimeoutException;
    RetryConfig config = RetryConfig.builder().retryIf(timeouts).build();

    assertThat(config.retryOn()).isEmpty();
    assertThat(config.retryIf()).containsSame(timeouts);
    assertThat(config.toBuilder().build().retryOn()).isEmpty();
  }

  @Test
  void toBuilderKeepsEveryValue() {
    Predicate<Object> is503 = r -> Integer.valueOf(503).equals(r);
    RetryConfig config =
        RetryConfig.builder()
            .maxAttempts(5)
            .maxDuration(Duration.ofSeconds(30))
            .backoff(Backoff.fixed(Duration.ofMillis(50)))
            .attemptTimeout(Duration.ofSeconds(1))
            .attemptTimeoutMultiplier(1.5)
            .maxAttemptTimeout(Duration.ofSeconds(4))
            .retryOn(IOException.class)
            .abortOn(TimeoutException.class)
            .retryOnResult(is503)
            .maxServerDelay(Duration.ofMinutes(1))
            .respectServerDelay(false)
            .serverDelay(r -> Optional.of(Duration.ofSeconds(1)))
            .budget(RetryBudget.of(RetryBudgetConfig.ofDefaults(), ManualClock.create()))
            .build();

    RetryConfig copy = config.toBuilder().build();

    assertThat(copy).usingRecursiveComparison().isEqualTo(config);
    assertThat(copy.budget()).containsSame(config.budget().orElseThrow());
    assertThat(copy.maxServerDelay()).isEqualTo(Duration.ofMinutes(1));
    assertThat(copy.respectServerDelay()).isFalse();
    assertThat(copy.toString()).isEqualTo(config.toString());
    assertThat(config.toBuilder().maxAttempts(2).build().maxAttempts()).isEqualTo(2);
    assertThat(config.maxAttempts()).isEqualTo(5);
  }

  @Test
  void eachSetterNamesItsFieldAndRange() {
    RetryConfig.Builder b = RetryConfig.builder();

    assertThatThrownBy(() -> b.maxAttempts(0))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("maxAttempts must be in [1, 1000], was 0");
    assertThatThrownBy(() -> b.maxAttempts(1001))
        .hasMessage("maxAttempts must be in [1, 1000], was 1001");
    assertThatThrownBy(() -> b.maxDuration(Duration.ZERO))
        .hasMessage("maxDuration must be in (0, PT8760H], was PT0S");
    assertThatThrownBy(() -> b.attemptTimeout(Duration.ofMillis(-1)))
        .hasMessage("attemptTimeout must be in (0, PT8760H], was PT-0.001S");
    assertThatThrownBy(() -> b.attemptTimeoutMultiplier(0.5))
        .hasMessage("attemptTimeoutMultiplier must be in [1.0, 100.0], was 0.5");
    assertThatThrownBy(() -> b.attemptTimeoutMultiplier(Double.NaN))
        .hasMessage("attemptTimeoutMultiplier must be in [1.0, 100.0], was NaN");
    assertThatThrownBy(() -> b.maxAttemptTimeout(Duration.ofDays(400)))
        .hasMessage("maxAttemptTimeout must be in (0, PT8760H], was PT9600H");
    assertThatThrownBy(() -> b.backoff(null))
        .isInstanceOf(NullPointerException.class)
        .hasMessage("backoff must not be null");
    assertThatThrownBy(() -> b.retryOn(IOException.class, null))
        .isInstanceOf(NullPointerException.class)
        .hasMessage("retryOn[1] must not be null");
    assertThatThrownBy(() -> b.abortOn((Class<? extends Throwable>) null))
        .hasMessage("abortOn[0] must not be null");
    assertThatThrownBy(() -> b.retryOnResult(null)).hasMessage("retryOnResult must not be null");
    assertThatThrownBy(() -> b.random(null)).hasMessage("random must not be null");
    assertThatThrownBy(() -> b.maxServerDelay(Duration.ZERO))
        .hasMessage("maxServerDelay must be in (0, PT8760H], was PT0S");
    assertThatThrownBy(() -> b.serverDelay(null)).hasMessage("serverDelay must not be null");
    assertThatThrownBy(() -> b.budget(null)).hasMessage("budget must not be null");
  }

  @Test
  void buildChecksHowTheTimeoutSettingsFit() {
    assertThatThrownBy(() -> RetryConfig.builder().attemptTimeoutMultiplier(2.0).build())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("attemptTimeoutMultiplier needs attemptTimeout; set attemptTimeout too");
    assertThatThrownBy(() -> RetryConfig.builder().maxAttemptTimeout(Duration.ofSeconds(1)).build())
        .hasMessage("maxAttemptTimeout needs attemptTimeout; set attemptTimeout too");
    assertThatThrownBy(
            () ->
                RetryConfig.builder()
                    .attemptTimeout(Duration.ofSeconds(2))
                    .maxAttemptTimeout(Duration.ofSeconds(1))
                    .build())
        .hasMessage("maxAttemptTimeout must be in [attemptTimeout (PT2S), PT8760H], was PT1S");
  }

  @Test
  void aRetryNeedsANameAndItsCollaborators() {
    ManualClock clock = ManualClock.create();
    ManualScheduler scheduler = new ManualScheduler(clock);
    RetryConfig config = RetryConfig.ofDefaults();

    assertThatThrownBy(() -> Retry.of(" ", config, clock, scheduler))
        .hasMessage("name must not be blank");
    assertThatThrownBy(() -> Retry.of("api", null, clock, scheduler))
        .hasMessage("config must not be null");
    assertThatThrownBy(() -> Retry.of("api", config, null, scheduler))
        .hasMessage("clock must not be null");
    assertThatThrownBy(() -> Retry.of("api", config, clock, null))
        .hasMessage("scheduler must not be null");
    Retry retry = Retry.of("api", config, clock, scheduler);
    assertThat(retry.name()).isEqualTo("api");
    assertThat(retry).hasToString("Retry[api]");
  }

  @Test
  void configsWithTheSameSettingsAreEqualAndHashAlike() {
    RetryConfig a = RetryConfig.builder().maxAttempts(4).maxDuration(Duration.ofSeconds(2)).build();
    RetryConfig b = a.toBuilder().build();

    assertThat(b).isEqualTo(a).hasSameHashCodeAs(a);
    assertThat(a.changedSettings(a.toBuilder().backoff(Backoff.none()).maxAttempts(2).build()))
        .containsExactly("maxAttempts", "backoff");
  }
}
