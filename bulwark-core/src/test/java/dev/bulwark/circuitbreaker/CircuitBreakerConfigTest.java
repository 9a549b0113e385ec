package dev.bulwark.circuitbreaker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.bulwark.circuitbreaker.CircuitBreakerConfig.WindowType;
import dev.bulwark.policy.RejectedException;
import java.io.IOException;
import java.time.Duration;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class CircuitBreakerConfigTest {

  @Test
  void defaultsAreTheDocumentedOnes() {
    CircuitBreakerConfig c = CircuitBreakerConfig.ofDefaults();

    assertThat(c.failureRateThreshold()).isEqualTo(50f);
    assertThat(c.slowCallRateThreshold()).isEqualTo(100f);
    assertThat(c.slowCallDuration()).isEmpty();
    assertThat(c.consecutiveFailures()).isZero();
    assertThat(c.windowType()).isEqualTo(WindowType.COUNT);
    assertThat(c.windowSize()).isEqualTo(100);
    assertThat(c.windowDuration()).isEqualTo(Duration.ofSeconds(60));
    assertThat(c.minimumCalls()).isEqualTo(20);
    assertThat(c.openDuration()).isEqualTo(Duration.ofSeconds(30));
    assertThat(c.openDurationMultiplier()).isEqualTo(1.0);
    assertThat(c.maxOpenDuration()).isEqualTo(Duration.ofMinutes(5));
    assertThat(c.halfOpenMaxCalls()).isEqualTo(1);
    assertThat(c.successThreshold()).isEqualTo(1);
    assertThat(c.halfOpenMaxWait()).isEqualTo(Duration.ofSeconds(60));
    assertThat(c.recordExceptions()).isEmpty();
    assertThat(c.ignoreExceptions()).containsExactly(RejectedException.class);
    assertThat(c.recordFailurePredicate()).isEmpty();
    assertThat(c.recordResultAsFailure()).isEmpty();
  }

  @Test
  void toBuilderKeepsEveryValue() {
    CircuitBreakerConfig c =
        CircuitBreakerConfig.builder()
            .failureRateThreshold(25)
            .slowCallDuration(Duration.ofMillis(200))
            .consecutiveFailures(3)
            .windowType(WindowType.TIME)
            .windowDuration(Duration.ofSeconds(10))
            .minimumCalls(500)
            .openDurationMultiplier(2)
            .maxOpenDuration(Duration.ofMinutes(2))
            .ignoreExceptions(IOException.class)
            .build();

    CircuitBreakerConfig copy = c.toBuilder().build();

    assertThat(copy).hasToString(c.toString());
    assertThat(copy.slowCallDuration()).isEqualTo(Optional.of(Duration.ofMillis(200)));
    assertThat(copy.ignoreExceptions()).containsExactly(IOException.class);
  }

  @Test
  void theDefaultCapFollowsALongerOpenDuration() {
    CircuitBreakerConfig c =
        CircuitBreakerConfig.builder().openDuration(Duration.ofMinutes(10)).build();

    assertThat(c.maxOpenDuration()).isEqualTo(Duration.ofMinutes(10));
    assertThat(c.toBuilder().openDuration(Duration.ofMinutes(20)).build().maxOpenDuration())
        .isEqualTo(Duration.ofMinutes(20));
  }

  @Test
  void eachSetterNamesItsFieldAndRange() {
    CircuitBreakerConfig.Builder b = CircuitBreakerConfig.builder();

    assertThatThrownBy(() -> b.failureRateThreshold(0))
        .hasMessage("failureRateThreshold must be in (0, 100], was 0.0");
    assertThatThrownBy(() -> b.slowCallRateThreshold(Float.NaN))
        .hasMessage("slowCallRateThreshold must be in (0, 100], was NaN");
    assertThatThrownBy(() -> b.windowSize(0))
        .hasMessage("windowSize must be in [1, 100000], was 0");
    assertThatThrownBy(() -> b.minimumCalls(100_001))
        .hasMessage("minimumCalls must be in [1, 100000], was 100001");
    assertThatThrownBy(() -> b.consecutiveFailures(-1))
        .hasMessage("consecutiveFailures must be in [0, 1000000], was -1");
    assertThatThrownBy(() -> b.halfOpenMaxCalls(0))
        .hasMessage("halfOpenMaxCalls must be in [1, 10000], was 0");
    assertThatThrownBy(() -> b.successThreshold(0))
        .hasMessage("successThreshold must be in [1, 1000000], was 0");
    assertThatThrownBy(() -> b.openDurationMultiplier(0.5))
        .hasMessage("openDurationMultiplier must be in [1.0, 100.0], was 0.5");
    assertThatThrownBy(() -> b.openDuration(Duration.ZERO))
        .hasMessage("openDuration must be in (0, PT8760H], was PT0S");
    assertThatThrownBy(() -> b.halfOpenMaxWait(Duration.ofSeconds(-1)))
        .hasMessage("halfOpenMaxWait must be in (0, PT8760H], was PT-1S");
    assertThatThrownBy(() -> b.slowCallDuration(Duration.ofSeconds(-1)))
        .hasMessage("slowCallDuration must be in [0, PT8760H], was PT-1S");
    assertThatThrownBy(() -> b.windowDuration(Duration.ofMillis(1)))
        .hasMessage("windowDuration must be in [PT0.01S, PT8760H], was PT0.001S");
    assertThatThrownBy(() -> b.windowType(null)).hasMessage("windowType must not be null");
    assertThatThrownBy(() -> b.recordExceptions(IOException.class, null))
        .hasMessage("recordExceptions[1] must not be null");
  }

  @Test
  void buildChecksHowValuesFit() {
    assertThatThrownBy(() -> CircuitBreakerConfig.builder().windowSize(10).build())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("minimumCalls must be in [1, 10] (windowSize), was 20");
    assertThatThrownBy(
            () ->
                CircuitBreakerConfig.builder()
                    .openDuration(Duration.ofMinutes(1))
                    .maxOpenDuration(Duration.ofSeconds(30))
                    .build())
        .hasMessage("maxOpenDuration must be in [PT1M (openDuration), PT8760H], was PT30S");
  }

  @Test
  void aTimeWindowMayAskForMoreMinimumCallsThanACountWindowHolds() {
    CircuitBreakerConfig c =
        CircuitBreakerConfig.builder()
            .windowType(WindowType.TIME)
            .windowSize(10)
            .minimumCalls(50)
            .build();

    assertThat(c.minimumCalls()).isEqualTo(50);
  }

  @Test
  void factoriesCheckTheirArguments() {
    assertThatThrownBy(() -> CircuitBreaker.ofDefaults(" ")).hasMessage("name must not be blank");
    assertThatThrownBy(() -> CircuitBreaker.of("db", null)).hasMessage("config must not be null");
    assertThatThrownBy(() -> CircuitBreaker.of("db", CircuitBreakerConfig.ofDefaults(), null))
        .hasMessage("clock must not be null");
    assertThat(CircuitBreaker.ofDefaults("db").name()).isEqualTo("db");
    assertThat(CircuitBreaker.ofDefaults("db").config())
        .isSameAs(CircuitBreakerConfig.ofDefaults());
  }

  @Test
  void configsWithTheSameSettingsAreEqualAndPredicatesCompareByIdentity() {
    CircuitBreakerConfig a = CircuitBreakerConfig.builder().minimumCalls(5).build();
    CircuitBreakerConfig b = a.toBuilder().build();

    assertThat(b).isEqualTo(a).hasSameHashCodeAs(a);
    assertThat(a.toBuilder().recordResultAsFailure(r -> false).build()).isNotEqualTo(a);
    assertThat(a.changedSettings(a.toBuilder().ignoreExceptions(IOException.class).build()))
        .containsExactly("ignoreExceptions");
    assertThat(a.settingFixedWhileRunning(a.toBuilder().windowSize(50).build()))
        .isEqualTo("windowSize");
  }
}
