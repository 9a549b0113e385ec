package dev.bulwark.healthcheck;

import dev.bulwark.test.ManualClock;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.Supplier;

/** A probe that answers from a script, one answer per probe, and remembers when it ran. */
final class ScriptedProbe implements HealthProbe {
  private final ManualClock clock;
  private final Deque<Supplier<CompletionStage<HealthCheck.Result>>> script = new ArrayDeque<>();
  private Supplier<CompletionStage<HealthCheck.Result>> otherwise = ScriptedProbe::up;
  final List<Long> ranAtNanos = new ArrayList<>();
  final List<String> threads = new ArrayList<>();
  final List<CompletableFuture<HealthCheck.Result>> hung = new ArrayList<>();

  ScriptedProbe(ManualClock clock) {
    this.clock = clock;
  }

  static CompletionStage<HealthCheck.Result> up() {
    return CompletableFuture.completedFuture(HealthCheck.Result.healthy("up"));
  }

  static CompletionStage<HealthCheck.Result> down() {
    return CompletableFuture.completedFuture(HealthCheck.Result.unhealthy("HTTP 503"));
  }

  ScriptedProbe then(Supplier<CompletionStage<HealthCheck.Result>> answer) {
    script.add(answer);
    return this;
  }

  ScriptedProbe thenAlways(Supplier<CompletionStage<HealthCheck.Result>> answer) {
    otherwise = answer;
    return this;
  }

  /** An answer that never comes (until the check cancels it). */
  CompletionStage<HealthCheck.Result> hang() {
    CompletableFuture<HealthCheck.Result> never = new CompletableFuture<>();
    hung.add(never);
    return never;
  }

  @Override
  public synchronized CompletionStage<HealthCheck.Result> check() {
    ranAtNanos.add(clock.nanoTime());
    threads.add(Thread.currentThread().getName());
    Supplier<CompletionStage<HealthCheck.Result>> next = script.poll();
    return (next != null ? next : otherwise).get();
  }

  synchronized int runs() {
    return ranAtNanos.size();
  }
}
