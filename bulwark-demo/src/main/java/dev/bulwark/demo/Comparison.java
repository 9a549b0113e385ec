package dev.bulwark.demo;

import dev.bulwark.Pipeline;
import dev.bulwark.time.Clock;
import dev.bulwark.time.Scheduler;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.function.DoubleSupplier;

/**
 * The showcase's experiment: two copies of the flaky service following the same script, one called
 * directly and one through a Bulwark pipeline with a last-known-good fallback, driven by the same
 * load at the same time.
 *
 * <p>Both runs share the clock and the scheduler but nothing else: each has its own service (so one
 * run's calls cannot slow the other's service) and its own users.
 *
 * <p>Thread-safe if the random source is; each {@link #run} is independent.
 */
public final class Comparison {
  private final Timeline timeline;
  private final Clock clock;
  private final Scheduler scheduler;
  private final DoubleSupplier random;
  private final LoadDriver driver;

  /**
   * An experiment on {@code timeline} with {@code users} users, each sending one request a pace.
   */
  public Comparison(
      Timeline timeline,
      int users,
      Duration pace,
      Clock clock,
      Scheduler scheduler,
      DoubleSupplier random) {
    this.timeline = Objects.requireNonNull(timeline, "timeline");
    this.clock = Objects.requireNonNull(clock, "clock");
    this.scheduler = Objects.requireNonNull(scheduler, "scheduler");
    this.random = Objects.requireNonNull(random, "random");
    this.driver = new LoadDriver(clock, scheduler, users, pace);
  }

  /** The reports of the two runs. */
  public record Result(RunReport unprotected, RunReport protectedRun) {}

  /**
   * Runs both clients from {@code originNanos} (on the clock) until the end of the timeline, their
   * users launched together by {@code launcher}; the protected client calls through {@code
   * protection}.
   *
   * @throws InterruptedException if interrupted while waiting for the users
   */
  public Result run(Pipeline protection, long originNanos, LoadDriver.Launcher launcher)
      throws InterruptedException {
    FlakyService plainService = new FlakyService(timeline, clock, scheduler, random, originNanos);
    FlakyService guardedService = new FlakyService(timeline, clock, scheduler, random, originNanos);
    DirectClient direct = new DirectClient(plainService);
    GuardedClient guarded = new GuardedClient(guardedService, protection);

    LoadDriver.Run plainRun = driver.prepare(direct, originNanos, timeline.length());
    LoadDriver.Run guardedRun = driver.prepare(guarded, originNanos, timeline.length());
    List<Runnable> users = new ArrayList<>(plainRun.users());
    users.addAll(guardedRun.users());
    launcher.runAll(users);

    return new Result(
        RunReport.of("unprotected", plainRun.logs(), plainService, -1),
        RunReport.of("bulwark", guardedRun.logs(), guardedService, guarded.rejected()));
  }
}
