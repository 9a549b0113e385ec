package dev.bulwark.healthcheck;

import dev.bulwark.internal.Check;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * What a {@link HealthCheck} runs: asks the dependency whether it is well (calls its health
 * endpoint, pings its database) and answers with a {@link HealthCheck.Result}. A stage that fails,
 * or completes after the check's timeout, counts as an unhealthy result.
 *
 * <p>An asynchronous probe should end its work when the stage it returned is cancelled (the check
 * cancels it at the timeout); a blocking one ({@link #blocking}) keeps its thread until it returns,
 * and no new probe of the same check starts meanwhile.
 *
 * <p>Implementations must be thread-safe.
 */
@FunctionalInterface
public interface HealthProbe {

  /** Starts one check of the dependency; the stage completes with its answer. */
  CompletionStage<HealthCheck.Result> check();

  /**
   * A probe that runs {@code probe} on the thread that starts the check (a thread of the
   * scheduler's completion executor, never its timer thread); what it throws is an unhealthy
   * result. Thread-safe if {@code probe} is.
   *
   * @throws NullPointerException if {@code probe} is null
   */
  static HealthProbe blocking(Callable<HealthCheck.Result> probe) {
    Check.notNull("probe", probe);
    return () -> {
      try {
        return CompletableFuture.completedFuture(probe.call());
      } catch (Exception e) {
        return CompletableFuture.failedFuture(e);
      }
    };
  }
}
