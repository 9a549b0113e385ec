package dev.bulwark.retry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.bulwark.event.ConfigChanged;
import dev.bulwark.event.PolicyEvent;
import dev.bulwark.event.RetryScheduled;
import dev.bulwark.test.CallMode;
import dev.bulwark.test.ManualClock;
import dev.bulwark.test.ManualScheduler;
import dev.bulwark.time.Clock;
import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** Replacing a running retry's configuration: the next call takes it, a running one does not. */
class RetryReconfigureTest {
  private final ManualClock clock = ManualClock.nearOverflow();
  private final ManualScheduler scheduler = new ManualScheduler(clock);

  private static RetryConfig attempts(int maxAttempts, Duration backoff) {
    return RetryConfig.builder().maxAttempts(maxAttempts).backoff(Backoff.fixed(backoff)).build();
  }

  private Retry retry(RetryConfig config) {
    return Retry.of("api", config, clock, scheduler);
  }

  @ParameterizedTest
  @EnumSource(CallMode.class)
  void moreAttemptsApplyToTheNextCallAndNotToTheOneInProgress(CallMode mode) {
    Retry retry = retry(attempts(3, Duration.ofMillis(100)));
    IOException reset = new IOException("reset");
    Script inProgress =
        Script.of(
            (Script.Step)
                () -> {
                  retry.reconfigure(attempts(5, Duration.ofSeconds(1))); // during attempt 1
                  throw reset;
                },
            reset);

    assertThatThrownBy(() -> mode.call(retry, scheduler, inProgress))
        .isInstanceOfSatisfying(
            RetryExhaustedException.class, e -> assertThat(e.attempts()).isEqualTo(3));
    assertThat(inProgress.calls()).isEqualTo(3);
    assertThat(clock.elapsed()).isEqualTo(Duration.ofMillis(200)); // its own backoff, twice

    Script next = Script.of(reset);
    assertThatThrownBy(() -> mode.call(retry, scheduler, next))
        .isInstanceOfSatisfying(
            RetryExhaustedException.class, e -> assertThat(e.attempts()).isEqualTo(5));
    assertThat(next.calls()).isEqualTo(5);
    assertThat(clock.elapsed()).isEqualTo(Duration.ofMillis(200).plusSeconds(4)); // the new one
  }

  @ParameterizedTest
  @EnumSource(CallMode.class)
  void fewerAttemptsDoNotCutShortTheCallInProgress(CallMode mode) throws Exception {
    Retry retry = retry(attempts(4, Duration.ofMillis(100)));
    IOException reset = new IOException("reset");
    Script inProgress =
        Script.of(
            (Script.Step)
                () -> {
                  retry.reconfigure(attempts(1, Duration.ofMillis(100)));
                  throw reset;
                },
            reset,
            reset,
            "ok");

    assertThat(mode.call(retry, scheduler, inProgress)).isEqualTo("ok");
    assertThat(inProgress.calls()).isEqualTo(4);

    Script next = Script.of(reset, "ok");
    assertThatThrownBy(() -> mode.call(retry, scheduler, next)).isSameAs(reset);
    assertThat(next.calls()).isEqualTo(1);
    assertThat(retry.config().maxAttempts()).isEqualTo(1);
  }

  @Test
  void publishesConfigChangedOnceNamingTheChangedSettingsAndNothingForAnEqualConfig() {
    Retry retry = retry(attempts(3, Duration.ofMillis(100)));
    List<PolicyEvent> events = new CopyOnWriteArrayList<>();
    retry.events().subscribe(events::add);

    retry.reconfigure(attempts(3, Duration.ofMillis(100))); // equal, though another object
    retry.reconfigure(
        attempts(5, Duration.ofMillis(250)).toBuilder().maxDuration(Duration.ofSeconds(3)).build());

    assertThat(events).hasSize(1);
    ConfigChanged changed = (ConfigChanged) events.get(0);
    assertThat(changed.policyName()).isEqualTo("api");
    assertThat(changed.changedSettings())
        .containsExactlyInAnyOrder("maxAttempts", "backoff", "maxDuration");
    assertThat(changed.wallTime()).isEqualTo(clock.wallTime());
  }

  @Test
  void buildsNoEventWhenNobodyListensForIt() {
    AtomicInteger wallReads = new AtomicInteger();
    Clock counting =
        new Clock() {
          @Override
          public long nanoTime() {
            return clock.nanoTime();
          }

          @Override
          public Instant wallTime() {
            wallReads.incrementAndGet(); // read only to stamp an event
            return clock.wallTime();
          }
        };
    Retry retry = Retry.of("api", attempts(3, Duration.ofMillis(100)), counting, scheduler);
    retry.events().subscribe(e -> {}, Set.of(RetryScheduled.class));

    retry.reconfigure(attempts(2, Duration.ofMillis(100)));

    assertThat(retry.config().maxAttempts()).isEqualTo(2);
    assertThat(wallReads).hasValue(0);
  }
}
