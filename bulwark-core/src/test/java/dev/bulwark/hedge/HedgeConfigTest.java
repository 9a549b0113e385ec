package dev.bulwark.hedge;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.bulwark.test.ManualClock;
import dev.bulwark.test.ManualScheduler;
import java.time.Duration;
import java.util.concurrent.Executor;
import org.junit.jupiter.api.Test;

class HedgeConfigTest {

  @Test
  void defaultsHedgeOnceAfterOneSecondWithinTenPercentOfTenSecondsOfCalls() {
    HedgeConfig config = HedgeConfig.ofDefaults();

    assertThat(config.delay()).isEqualTo(Duration.ofSeconds(1));
    assertThat(config.delayPercentile()).isEmpty();
    assertThat(config.minDelay()).isEqualTo(Duration.ofMillis(1));
    assertThat(config.minSamples()).isEqualTo(20);
    assertThat(config.maxHedges()).isEqualTo(1);
    assertThat(config.maxExtraLoad()).isEqualTo(0.1);
    assertThat(config.window()).isEqualTo(Duration.ofSeconds(10));
    assertThat(config.executor()).isSameAs(HedgeThreads.shared());
    assertThat(Hedge.ofDefaults("api").config()).isSameAs(config);
  }

  @Test
  void toBuilderKeepsEverySetting() {
    Executor direct = Runnable::run;
    HedgeConfig config =
        HedgeConfig.builder()
            .delay(Duration.ofMillis(300))
            .delayPercentile(99.0)
            .minDelay(Duration.ofMillis(7))
            .minSamples(50)
            .maxHedges(3)
            .maxExtraLoad(0.3)
            .window(Duration.ofSeconds(30))
            .executor(direct)
            .build();

    HedgeConfig copy = config.toBuilder().build();

    assertThat(copy.delay()).isEqualTo(Duration.ofMillis(300));
    assertThat(copy.delayPercentile()).hasValue(99.0);
    assertThat(copy.minDelay()).isEqualTo(Duration.ofMillis(7));
    assertThat(copy.minSamples()).isEqualTo(50);
    assertThat(copy.maxHedges()).isEqualTo(3);
    assertThat(copy.maxExtraLoad()).isEqualTo(0.3);
    assertThat(copy.window()).isEqualTo(Duration.ofSeconds(30));
    assertThat(copy.executor()).isSameAs(direct);
    assertThat(copy.toString()).isEqualTo(config.toString()).contains("delayPercentile=99.0");
  }

  @Test
  void settersRejectValuesOutOfRangeNamingFieldRangeAndValue() {
    HedgeConfig.Builder b = HedgeConfig.builder();

    assertThatThrownBy(() -> b.delay(Duration.ofMillis(-1)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("delay must be in [0, PT8760H], was PT-0.001S");
    assertThatThrownBy(() -> b.delayPercentile(100))
        .hasMessage("delayPercentile must be in (0.0, 100.0), was 100.0");
    assertThatThrownBy(() -> b.delayPercentile(0))
        .hasMessage("delayPercentile must be in (0.0, 100.0), was 0.0");
    assertThatThrownBy(() -> b.delayPercentile(Double.NaN))
        .hasMessage("delayPercentile must be in (0.0, 100.0), was NaN");
    assertThatThrownBy(() -> b.minDelay(Duration.ofDays(366)))
        .hasMessage("minDelay must be in [0, PT8760H], was PT8784H");
    assertThatThrownBy(() -> b.minSamples(0))
        .hasMessage("minSamples must be in [1, 1000000], was 0");
    assertThatThrownBy(() -> b.maxHedges(0)).hasMessage("maxHedges must be in [1, 10], was 0");
    assertThatThrownBy(() -> b.maxHedges(11)).hasMessage("maxHedges must be in [1, 10], was 11");
    assertThatThrownBy(() -> b.maxExtraLoad(-0.1))
        .hasMessage("maxExtraLoad must be in [0.0, 10.0], was -0.1");
    assertThatThrownBy(() -> b.window(Duration.ofMillis(999)))
        .hasMessage("window must be in [PT1S, PT1H], was PT0.999S");
    assertThatThrownBy(() -> b.window(null))
        .isInstanceOf(NullPointerException.class)
        .hasMessage("window must not be null");
    assertThatThrownBy(() -> b.executor(null))
        .isInstanceOf(NullPointerException.class)
        .hasMessage("executor must not be null");
  }

  @Test
  void buildRejectsAMinDelayLongerThanTheInitialDelayOfAPercentile() {
    HedgeConfig.Builder b =
        HedgeConfig.builder()
            .delayPercentile(95)
            .delay(Duration.ofMillis(10))
            .minDelay(Duration.ofMillis(20));

    assertThatThrownBy(b::build)
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("minDelay must be in [0, PT0.01S] (delay), was PT0.02S");
    // a fixed delay ignores minDelay, so the same values fit
    assertThat(
            HedgeConfig.builder()
                .delay(Duration.ofMillis(10))
                .minDelay(Duration.ofMillis(20))
                .build()
                .delay())
        .isEqualTo(Duration.ofMillis(10));
  }

  @Test
  void factoriesRejectMissingOrBlankArguments() {
    ManualClock clock = ManualClock.create();
    ManualScheduler scheduler = new ManualScheduler(clock);
    HedgeConfig config = HedgeConfig.ofDefaults();

    assertThatThrownBy(() -> Hedge.of(" ", config)).hasMessage("name must not be blank");
    assertThatThrownBy(() -> Hedge.of("api", null)).hasMessage("config must not be null");
    assertThatThrownBy(() -> Hedge.of("api", config, null, scheduler))
        .hasMessage("clock must not be null");
    assertThatThrownBy(() -> Hedge.of("api", config, clock, null))
        .hasMessage("scheduler must not be null");
    assertThat(Hedge.of("api", config, clock, scheduler).name()).isEqualTo("api");
  }

  @Test
  void sharedHedgeThreadsAreNamedDaemons() throws Exception {
    java.util.concurrent.CompletableFuture<Thread> thread =
        new java.util.concurrent.CompletableFuture<>();

    HedgeThreads.shared().execute(() -> thread.complete(Thread.currentThread()));

    Thread t = thread.get(10, java.util.concurrent.TimeUnit.SECONDS);
    assertThat(t.getName()).startsWith("bulwark-hedge-");
    assertThat(t.isDaemon()).isTrue();
  }
}
