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
    long justBeforeOutage = Duration.ofSeconds(8).toNanos() - 1;

    assertThat(standard.phaseAt(0).name()).isEqualTo("healthy");
    assertThat(standard.phaseAt(justBeforeOutage).name()).isEqualTo("degraded");
    assertThat(standard.phaseAt(justBeforeOutage + 1).name()).isEqualTo("outage");
    assertThat(standard.phaseAt(Duration.ofSeconds(16).toNanos()).name()).isEqualTo("recovered");
    assertThat(standard.phaseAt(Duration.ofHours(1).toNanos()).name()).isEqualTo("recovered");
  }

  @Test
  void knowsWhereTheOutageIsAndWhenItEnds() {
    int outage = standard.outageIndex().orElseThrow();

    assertThat(standard.phases().get(outage).isDown()).isTrue();
    assertThat(standard.phases().get(outage).start()).isEqualTo(Duration.ofSeconds(8));
    assertThat(standard.end(outage)).isEqualTo(Duration.ofSeconds(16));
    assertThat(standard.end(standard.phases().size() - 1)).isEqualTo(standard.length());
  }

  @Test
  void refusesPhasesOutOfOrder() {
    Phase first = new Phase("a", Duration.ZERO, 0, Duration.ZERO, Duration.ZERO);
    Phase second = new Phase("b", Duration.ofSeconds(2), 0, Duration.ZERO, Duration.ZERO);
    Phase early = new Phase("c", Duration.ofSeconds(1), 0, Duration.ZERO, Duration.ZERO);

    assertThatThrownBy(() -> new Timeline(List.of(first, second, early), Duration.ofSeconds(5)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("phase c must start after b");
    assertThatThrownBy(() -> new Timeline(List.of(second), Duration.ofSeconds(5)))
        .hasMessage("the first phase must start at zero");
    assertThatThrownBy(() -> new Timeline(List.of(first, second), Duration.ofSeconds(2)))
        .hasMessage("length must be after the last phase starts");
    assertThatThrownBy(() -> new Phase("d", Duration.ZERO, 1.5, Duration.ZERO, Duration.ZERO))
        .hasMessage("errorRate must be in [0, 1], was 1.5 in phase d");
  }
}
