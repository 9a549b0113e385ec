package dev.bulwark.demo;

import dev.bulwark.time.Clock;
import dev.bulwark.time.Scheduler;
import java.io.IOException;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.DoubleSupplier;

/**
 * An in-process stand-in for a remote inventory API that follows a {@link Timeline}: it fails a
 * share of calls, slows down, goes down (each call fails after a connect timeout) and comes back.
 *
 * <p>Which phase a call falls in is decided by the time it arrives, read from the injected clock;
 * the call then takes its time through the injected scheduler, so a test on a manual clock runs the
 * whole script without sleeping. The service counts every call that reaches it, per phase.
 *
 * <p>Thread-safe if the random source is.
 */
public final class FlakyService {
  private final Timeline timeline;
  private final Clock clock;
  private final Scheduler scheduler;
  private final DoubleSupplier random;
  private final long originNanos;
  private final LongAdder[] callsPerPhase;
  private final AtomicLong calls = new AtomicLong();

  /**
   * A service that starts its script at {@code originNanos} on {@code clock}.
   *
   * @param random uniform numbers in [0, 1): decides which calls fail and how long they take
   */
  public FlakyService(
      Timeline timeline,
      Clock clock,
      Scheduler scheduler,
      DoubleSupplier random,
      long originNanos) {
    this.timeline = Objects.requireNonNull(timeline, "timeline");
    this.clock = Objects.requireNonNull(clock, "clock");
    this.scheduler = Objects.requireNonNull(scheduler, "scheduler");
    this.random = Objects.requireNonNull(random, "random");
    this.originNanos = originNanos;
    this.callsPerPhase = new LongAdder[timeline.phases().size()];
    for (int i = 0; i < callsPerPhase.length; i++) {
      callsPerPhase[i] = new LongAdder();
    }
  }

  /**
   * Answers how many units are in stock, after the phase's latency.
   *
   * @throws IOException if the script makes this call fail (a 503, or a connect timeout when down)
   * @throws InterruptedException if interrupted while "on the wire"
   */
  public Stock fetch() throws IOException, InterruptedException {
    long callNumber = calls.incrementAndGet();
    int index = timeline.phaseIndexAt(clock.nanoTime() - originNanos);
    callsPerPhase[index].increment();
    Phase phase = timeline.phases().get(index);
    if (phase.isDown()) {
      scheduler.sleep(phase.failureLatency().toNanos());
      throw new IOException("connect timed out after " + phase.failureLatency().toMillis() + " ms");
    }
    if (random.getAsDouble() < phase.errorRate()) {
      scheduler.sleep(phase.failureLatency().toNanos());
      throw new IOException("503 Service Unavailable (" + phase.name() + ")");
    }
    // between half and one and a half times the phase's latency
    scheduler.sleep((long) (phase.latency().toNanos() * (0.5 + random.getAsDouble())));
    return new Stock(40 + (int) (callNumber % 17), callNumber);
  }

  /** Every call that reached the service so far. */
  public long calls() {
    return calls.get();
  }

  /** The calls that arrived while phase {@code index} of the timeline was under way. */
  public long callsIn(int index) {
    return callsPerPhase[index].sum();
  }

  /** The script this service follows. */
  public Timeline timeline() {
    return timeline;
  }
}
