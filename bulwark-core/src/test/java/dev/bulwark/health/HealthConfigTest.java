package dev.bulwark.health;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class HealthConfigTest {

  @Test
  void looksBackSixtySecondsByDefault() {
    assertThat(HealthConfig.ofDefaults().recentWindow()).isEqualTo(Duration.ofSeconds(60));
    assertThat(HealthConfig.builder().build().recentWindow()).isEqualTo(Duration.ofSeconds(60));
  }

  @Test
  void keepsTheWindowItIsGivenThroughToBuilder() {
    HealthConfig config = HealthConfig.builder().recentWindow(Duration.ofSeconds(30)).build();

    assertThat(config.toBuilder().build().recentWindow()).isEqualTo(Duration.ofSeconds(30));
    assertThat(config).hasToString("HealthConfig[recentWindow=PT30S]");
  }

  @Test
  void rejectsAWindowShorterThanASecondNamingTheFieldAndRange() {
    assertThatThrownBy(() -> HealthConfig.builder().recentWindow(Duration.ofMillis(999)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("recentWindow must be in [PT1S, PT8760H], was PT0.999S");
  }

  @Test
  void rejectsAWindowLongerThanAYear() {
    assertThatThrownBy(() -> HealthConfig.builder().recentWindow(Duration.ofDays(366)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("recentWindow must be in [PT1S, PT8760H], was PT8784H");
  }

  @Test
  void rejectsANullWindow() {
    assertThatThrownBy(() -> HealthConfig.builder().recentWindow(null))
        .isInstanceOf(NullPointerException.class)
        .hasMessage("recentWindow must not be null");
  }
}
