package dev.bulwark.healthcheck;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.bulwark.test.ManualClock;
import dev.bulwark.test.ManualScheduler;
import dev.bulwark.time.Scheduler;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executor;
import java.util.concurrent.Future;
import java.util.concurrent.RejectedExecutionException;
import org.junit.jupiter.api.Test;

/** A health check on the manual clock: its schedule, its thresholds, its timeout, its stop. */
class HealthCheckTest {
  private final ManualClock clock = ManualClock.nearOverflow();
  private final ManualScheduler scheduler = new ManualScheduler(clock);
  private final ScriptedProbe probe = new ScriptedProbe(clock);

  private HealthCheck check(HealthCheckConfig.Builder config) {
    return HealthCheck.of("inventory", config.probe(probe).build(), clock, scheduler);
  }

  @Test
  void checksAtStartThenEveryIntervalWithEachWaitInsideTheJitterBounds() {
    HealthCheck check = check(HealthCheckConfig.builder()); // 30 s, jitter 0.1
    long start = clock.nanoTime();
    check.start();
    scheduler.runDue();
    assertThat(probe.ranAtNanos).containsExactly(start);

    scheduler.advance(Duration.ofHours(10));

    List<Long> times = probe.ranAtNanos;
    assertThat(times).hasSizeBetween(1 + 10 * 3600 / 33, 1 + 10 * 3600 / 27);
    long low = Duration.ofSeconds(27).toNanos();
    long high = Duration.ofSeconds(33).toNanos();
    long shortest = Long.MAX_VALUE;
    long longest = 0;
    for (int i = 1; i < times.size(); i++) {
      long wait = times.get(i) - times.get(i - 1); // by subtraction: the clock crosses overflow
      assertThat(wait).isBetween(low, high - 1);
      shortest = Math.min(shortest, wait);
      longest = Math.max(longest, wait);
    }
    // jittered indeed: over 1,200 waits, both ends of the range are reached within a second
    assertThat(shortest).isLessThan(Duration.ofSeconds(28).toNanos());
    assertThat(longest).isGreaterThan(Duration.ofSeconds(32).toNanos());
    assertThat(probe.threads).doesNotContain("bulwark-scheduler");
  }

  @Test
  void withoutJitterChecksExactlyEveryInterval() {
    HealthCheck check = check(HealthCheckConfig.builder().jitter(0));
    long start = clock.nanoTime();
    check.start();

    scheduler.advance(Duration.ofSeconds(90));

    long s = Duration.ofSeconds(30).toNanos();
    assertThat(probe.ranAtNanos).containsExactly(start, start + s, start + 2 * s, start + 3 * s);
  }

  @Test
  void theVerdictSwitchesExactlyAtTheThresholds() {
    HealthCheck check =
        check(HealthCheckConfig.builder().jitter(0).unhealthyThreshold(3).healthyThreshold(2));
    probe
        .then(ScriptedProbe::down)
        .then(ScriptedProbe::down)
        .then(ScriptedProbe::up) // breaks the run of failures
        .then(ScriptedProbe::down)
        .then(ScriptedProbe::down)
        .then(ScriptedProbe::down) // third in a row: unhealthy
        .then(ScriptedProbe::up)
        .then(ScriptedProbe::up); // second in a row: healthy
    List<Boolean> verdicts = new CopyOnWriteArrayList<>();
    List<HealthChanged> switches = new CopyOnWriteArrayList<>();
    check.events().subscribe(HealthChanged.class, switches::add);
    check.start();
    scheduler.runDue();
    verdicts.add(check.isHealthy());
    for (int i = 1; i < 8; i++) {
      scheduler.advance(Duration.ofSeconds(30));
      verdicts.add(check.isHealthy());
    }

    assertThat(verdicts).containsExactly(true, true, true, true, true, false, false, true);
    assertThat(switches).extracting(HealthChanged::healthy).containsExactly(false, true);
    assertThat(switches.get(0).result().detail()).isEqualTo("HTTP 503");
  }

  @Test
  void theStatusTellsTheLastResultItsAgeAndTheRunOfFailures() {
    HealthCheck check = check(HealthCheckConfig.builder().jitter(0));
    assertThat(check.status().lastResult()).isEmpty();
    assertThat(check.status().healthy()).isTrue();
    probe.thenAlways(ScriptedProbe::down);
    check.start();

    scheduler.advance(Duration.ofSeconds(40)); // probes at 0 and 30 s

    HealthCheck.Status status = check.status();
    assertThat(status.healthy()).isFalse();
    assertThat(status.lastResult()).contains(HealthCheck.Result.unhealthy("HTTP 503"));
    assertThat(status.age()).isEqualTo(Duration.ofSeconds(10));
    assertThat(status.consecutiveFailures()).isEqualTo(2);
    assertThat(status.consecutiveSuccesses()).isZero();
    assertThat(status.checks()).isEqualTo(2);
    assertThat(status.running()).isTrue();
  }

  @Test
  void aHungProbeIsCutAtItsTimeoutCountsAsAFailureAndIsCancelled() {
    HealthCheck check =
        check(
            HealthCheckConfig.builder()
                .jitter(0)
                .timeout(Duration.ofSeconds(2))
                .unhealthyThreshold(1));
    probe.then(probe::hang);
    List<CheckCompleted> results = new CopyOnWriteArrayList<>();
    check.events().subscribe(CheckCompleted.class, results::add);
    check.start();
    scheduler.runDue();

    scheduler.advance(Duration.ofMillis(1_999));
    assertThat(check.isHealthy()).isTrue();
    assertThat(results).isEmpty();

    scheduler.advance(Duration.ofMillis(1));
    assertThat(check.isHealthy()).isFalse();
    assertThat(results).hasSize(1);
    assertThat(results.get(0).result().detail()).isEqualTo("no answer within 2 s");
    assertThat(results.get(0).took()).isEqualTo(Duration.ofSeconds(2));
    assertThat(probe.hung.get(0)).isCancelled();

    scheduler.advance(Duration.ofSeconds(28)); // the next probe runs: the slot was freed
    assertThat(probe.runs()).isEqualTo(2);
    assertThat(check.isHealthy()).isTrue();
  }

  @Test
  void aProbeThatIgnoresItsTimeoutBlocksNoScheduleAndEachTickCountsAnotherFailure() {
    HealthCheck check = check(HealthCheckConfig.builder().jitter(0).timeout(Duration.ofSeconds(5)));
    CompletableFuture<HealthCheck.Result> stuck = new CompletableFuture<>();
    probe.then(stuck::minimalCompletionStage); // cancelling its copy does not end it
    check.start();

    scheduler.advance(Duration.ofSeconds(61)); // timed out at 5 s; ticks at 30 and 60 s

    assertThat(probe.runs()).isEqualTo(1); // never two probes at once
    HealthCheck.Status status = check.status();
    assertThat(status.consecutiveFailures()).isEqualTo(3);
    assertThat(status.lastResult().orElseThrow().detail())
        .isEqualTo("the previous probe is still running after 60 s; no new probe until it ends");

    stuck.complete(HealthCheck.Result.healthy("late")); // its late answer only frees the slot
    assertThat(check.status().consecutiveFailures()).isEqualTo(3);
    scheduler.advance(Duration.ofSeconds(30));
    assertThat(probe.runs()).isEqualTo(2);
    assertThat(check.isHealthy()).isTrue();
  }

  @Test
  void aProbeThatThrowsOrFailsCountsAsUnhealthyAndSaysWhy() {
    HealthCheck check = check(HealthCheckConfig.builder().jitter(0).unhealthyThreshold(2));
    probe
        .then(
            () -> {
              throw new IllegalStateException("no route");
            })
        .then(() -> CompletableFuture.failedFuture(new java.io.IOException("reset")));
    check.start();

    scheduler.advance(Duration.ofSeconds(30));

    assertThat(check.isHealthy()).isFalse();
    assertThat(check.status().lastResult().orElseThrow().detail())
        .isEqualTo("the probe failed: java.io.IOException: reset");
  }

  @Test
  void aBlockingProbeRunsOnTheCompletionExecutorAndWhatItThrowsIsUnhealthy() {
    HealthCheck check =
        HealthCheck.of(
            "db",
            HealthCheckConfig.builder()
                .unhealthyThreshold(1)
                .probe(
                    HealthProbe.blocking(
                        () -> {
                          throw new java.io.IOException("connection refused");
                        }))
                .build(),
            clock,
            scheduler);
    check.start();

    scheduler.runDue();

    assertThat(check.isHealthy()).isFalse();
    assertThat(scheduler.completionsRun()).isEqualTo(1);
  }

  @Test
  void stoppingEndsTheScheduleAndDropsALateAnswer() {
    HealthCheck check = check(HealthCheckConfig.builder().jitter(0).unhealthyThreshold(1));
    probe.then(ScriptedProbe::up).then(probe::hang);
    check.start();
    scheduler.advance(Duration.ofSeconds(30)); // the second probe hangs

    check.stop();
    probe.hung.get(0).complete(HealthCheck.Result.unhealthy("late"));
    scheduler.advance(Duration.ofHours(1));

    assertThat(check.isRunning()).isFalse();
    assertThat(scheduler.pendingTasks()).isZero();
    assertThat(probe.runs()).isEqualTo(2);
    assertThat(check.isHealthy()).isTrue();
    check.start(); // a stopped check stays stopped
    assertThat(scheduler.pendingTasks()).isZero();
  }

  @Test
  void aRefusedProbeIsSkippedOnTheTimerThreadWithoutCountingAndTheScheduleGoesOn() {
    Scheduler refusing =
        new Scheduler() {
          @Override
          public Future<?> schedule(Runnable task, long delayNanos) {
            return scheduler.schedule(task, delayNanos);
          }

          @Override
          public void sleep(long delayNanos) throws InterruptedException {
            scheduler.sleep(delayNanos);
          }

          @Override
          public Executor completionExecutor() {
            return work -> {
              throw new RejectedExecutionException("full");
            };
          }
        };
    HealthCheck check =
        HealthCheck.of(
            "inventory", HealthCheckConfig.builder().probe(probe).build(), clock, refusing);
    check.start();

    scheduler.advance(Duration.ofMinutes(2));

    assertThat(probe.runs()).isZero();
    assertThat(check.status().checks()).isZero();
    assertThat(check.isHealthy()).isTrue();
    assertThat(scheduler.pendingTasks()).isEqualTo(1); // the next tick
  }

  @Test
  void aCheckNeedsAProbeAndAStandaloneStartCannotFindABreaker() {
    assertThatThrownBy(() -> HealthCheck.of("x", HealthCheckConfig.ofDefaults(), clock, scheduler))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("health check 'x' has no probe");
    HealthCheck steering = check(HealthCheckConfig.builder().breaker("inventory"));
    assertThatThrownBy(steering::start)
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("names the breaker 'inventory'");
  }

  @Test
  void badSettingsFailNamingTheFieldAndRange() {
    assertThatThrownBy(() -> HealthCheckConfig.builder().jitter(0.6))
        .hasMessage("jitter must be in [0.0, 0.5], was 0.6");
    assertThatThrownBy(() -> HealthCheckConfig.builder().unhealthyThreshold(0))
        .hasMessage("unhealthyThreshold must be in [1, 1000], was 0");
    assertThatThrownBy(() -> HealthCheckConfig.builder().interval(Duration.ZERO))
        .hasMessageStartingWith("interval must be in (0, ");
  }
}
