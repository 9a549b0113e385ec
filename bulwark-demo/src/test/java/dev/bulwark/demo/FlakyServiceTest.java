package dev.bulwark.demo;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.bulwark.test.ManualClock;
import dev.bulwark.test.ManualScheduler;
import java.io.IOException;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class FlakyServiceTest {
  private static final int HEALTHY = 0;
  private static final int DEGRADED = 1;
  private static final int OUTAGE = 2;
  private static final int RECOVERED = 3;

  private final ManualClock clock = ManualClock.nearOverflow();
  private final ManualScheduler scheduler = new ManualScheduler(clock);
  private final long origin = clock.nanoTime();

  private FlakyService serviceRolling(double chance) {
    return new FlakyService(Timeline.standard(), clock, scheduler, () -> chance, origin);
  }

  private void at(Duration sinceOrigin) {
    clock.advanceNanos(sinceOrigin.toNanos() - (clock.nanoTime() - origin));
  }

  @Test
  void answersWhenTheDiceFallAboveThePhaseErrorRate() throws Exception {
    FlakyService service = serviceRolling(0.5);

    at(Duration.ofSeconds(1));
    assertThat(service.fetch().callNumber()).isEqualTo(1);
    at(Duration.ofSeconds(5));
    assertThat(service.fetch().callNumber()).isEqualTo(2);
    at(Duration.ofSeconds(17));
    assertThat(service.fetch().callNumber()).isEqualTo(3);
  }

  @Test
  void failsWhenTheDiceFallBelowThePhaseErrorRate() {
    FlakyService service = serviceRolling(0.2); // under degraded's 30%, over healthy's 5%

    at(Duration.ofSeconds(5));

    assertThatThrownBy(service::fetch).isInstanceOf(IOException.class).hasMessageContaining("503");
  }

  @Test
  void failsEveryCallDuringTheOutageAfterTheConnectTimeout() {
    FlakyService service = serviceRolling(0.99); // the luckiest dice still fail

    at(Duration.ofSeconds(8));
    long before = clock.nanoTime();

    assertThatThrownBy(service::fetch)
        .isInstanceOf(IOException.class)
        .hasMessageContaining("connect timed out");
    assertThat(Duration.ofNanos(clock.nanoTime() - before)).isEqualTo(Duration.ofMillis(500));
    at(Duration.ofMillis(15_999));
    assertThatThrownBy(service::fetch).isInstanceOf(IOException.class);
  }

  @Test
  void recoversWhenTheOutageEnds() throws Exception {
    FlakyService service = serviceRolling(0.5);

    at(Duration.ofSeconds(16));

    assertThat(service.fetch()).isNotNull();
  }

  @Test
  void slowsDownWhenDegraded() throws Exception {
    FlakyService service = serviceRolling(0.5); // latency factor 0.5 + 0.5 = exactly the phase's

    at(Duration.ofSeconds(1));
    long healthyStart = clock.nanoTime();
    service.fetch();
    long healthy = clock.nanoTime() - healthyStart;
    at(Duration.ofSeconds(5));
    long degradedStart = clock.nanoTime();
    service.fetch();
    long degraded = clock.nanoTime() - degradedStart;

    assertThat(Duration.ofNanos(healthy)).isEqualTo(Duration.ofMillis(20));
    assertThat(Duration.ofNanos(degraded)).isEqualTo(Duration.ofMillis(200));
  }

  @Test
  void countsTheCallsThatReachItPerPhase() throws Exception {
    FlakyService service = serviceRolling(0.5);

    at(Duration.ofSeconds(1));
    service.fetch();
    for (int i = 0; i < 3; i++) {
      at(Duration.ofSeconds(9 + i));
      assertThatThrownBy(service::fetch).isInstanceOf(IOException.class);
    }
    at(Duration.ofSeconds(18));
    service.fetch();

    assertThat(service.calls()).isEqualTo(5);
    assertThat(service.callsIn(HEALTHY)).isEqualTo(1);
    assertThat(service.callsIn(DEGRADED)).isZero();
    assertThat(service.callsIn(OUTAGE)).isEqualTo(3);
    assertThat(service.callsIn(RECOVERED)).isEqualTo(1);
  }
}
