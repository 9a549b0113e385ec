package dev.bulwark.demo;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

class TimelineTest {
  private final Timeline standard = Timeline.standard();

  @Test
  void switchesPhaseExactlyAtEachStart() {
    long justBeforeOutage = Duration.ofSeconds(13).toNanos() - 1;

    assertThat(standard.phaseAt(0).name()).isEqualTo("healthy");
    assertThat(standard.phaseAt(Duration.ofSeconds(4).toNanos()).name()).isEqualTo("degraded");
    assertThat(standard.phaseAt(justBeforeOutage).name()).isEqualTo("rate limited");
    assertThat(standard.phaseAt(justBeforeOutage + 1).name()).isEqualTo("outage");
    assertThat(standard.phaseAt(Duration.ofSeconds(21).toNanos()).name()).isEqualTo("recovered");
    assertThat(standard.phaseAt(Duration.ofHours(1).toNanos()).name()).isEqualTo("recovered");
  }

  @Test
  void knowsWhereTheOutageIsAndWhenItEnds() {
    int outage = standard.outageIndex().orElseThrow();

    assertThat(standard.phases().get(outage).isDown()).isTrue();
    assertThat(standard.phases().get(outage).start()).isEqualTo(Duration.ofSeconds(13));
    assertThat(standard.end(outage)).isEqualTo(Duration.ofSeconds(21));
    assertThat(standard.end(standard.phases().size() - 1)).isEqualTo(standard.length());
  }

  @Test
  void describesEachPhaseOnOneLine() {
    assertThat(standard.phases().get(1).describe())
        .isEqualTo("degraded: 20% 5xx, 10% slow (1500 ms), otherwise ~5 ms");
    assertThat(standard.phases().get(2).describe()).contains("35% 429 with Retry-After");
    assertThat(standard.phases().get(3).describe())
        .isEqualTo("outage: every request gets a 503 without Retry-After");
  }

  @Test
  void refusesPhasesOutOfOrder() {
    Phase first = Phase.steady("a", Duration.ZERO, 0, Duration.ZERO);
    Phase second = Phase.steady("b", Duration.ofSeconds(2), 0, Duration.ZERO);
    Phase early = Phase.steady("c", Duration.ofSeconds(1), 0, Duration.ZERO);

    assertThatThrownBy(() -> new Timeline(List.of(first, second, early), Duration.ofSeconds(5)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("phase c must start after b");
    assertThatThrownBy(() -> new Timeline(List.of(second), Duration.ofSeconds(5)))
        .hasMessage("the first phase must start at zero");
    assertThatThrownBy(() -> new Timeline(List.of(first, second), Duration.ofSeconds(2)))
        .hasMessage("length must be after the last phase starts");
    assertThatThrownBy(() -> Phase.steady("d", Duration.ZERO, 1.5, Duration.ZERO))
        .hasMessage("errorRate must be in [0, 1], was 1.5 in phase d");
    assertThatThrownBy(
            () -> new Phase("e", Duration.ZERO, 0.5, 0.3, 0.3, Duration.ZERO, Duration.ZERO))
        .hasMessageStartingWith("errorRate + slowRate + throttleRate must be at most 1, was 1.1");
  }
}
