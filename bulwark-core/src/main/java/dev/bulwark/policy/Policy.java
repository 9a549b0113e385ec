package dev.bulwark.policy;

import java.util.concurrent.Callable;
import java.util.concurrent.CompletionStage;
import java.util.function.Supplier;

/**
 * One step of a {@link Pipeline}: sees a call and its outcome, and decides whether to let it
 * through, reject it, try it again, replace its outcome or cut it short.
 *
 * <p>One instance serves every call. A policy that keeps state (a breaker, a limiter) shares it
 * between all calls that go through it. The chain of {@link Next} steps is built once by the
 * pipeline, so proceeding allocates nothing.
 *
 * <p>Thread-safe.
 */
public interface Policy {

  /** The name reported in events, metrics and rejections. */
  String name();

  /**
   * Runs {@code call} through {@code next} under this policy.
   *
   * @throws NullPointerException if an argument is null
   * @throws RejectedException if this policy refuses the call
   * @throws Exception whatever the call itself threw, unwrapped
   */
  <T> T execute(Callable<T> call, Next next) throws Exception;

  /**
   * Runs an asynchronous {@code call} through {@code next} under this policy, with the same
   * semantics as {@link #execute}: a rejection completes the returned stage exceptionally with a
   * {@link RejectedException} instead of throwing it. Cancelling the returned stage's future
   * cancels the stage from {@code next} (so cancellation reaches the call inside), or, while the
   * call waits to start, ends the wait so that it never starts; the policy gives back what it holds
   * for the call (a permit, a probe's place) when the stage from {@code next} completes, however
   * the caller's future ended. No user code (the supplier, callbacks on the returned stage, event
   * listeners) runs on a scheduler's timer thread: what a scheduled task decides is completed on
   * {@link dev.bulwark.time.Scheduler#completionExecutor()}.
   *
   * @throws NullPointerException if an argument is null
   */
  <T> CompletionStage<T> executeAsync(Supplier<CompletionStage<T>> call, AsyncNext next);

  /**
   * Runs {@code call} under this policy alone; the same as {@code Pipeline.of(this).call(call)}.
   *
   * @throws NullPointerException if {@code call} is null
   * @throws RejectedException if this policy refuses the call
   * @throws Exception whatever the call itself threw, unwrapped
   */
  default <T> T call(Callable<T> call) throws Exception {
    return execute(call, Pipeline.TERMINAL);
  }

  /**
   * Runs an asynchronous {@code call} under this policy alone.
   *
   * @throws NullPointerException if {@code call} is null
   */
  default <T> CompletionStage<T> callAsync(Supplier<CompletionStage<T>> call) {
    return executeAsync(call, Pipeline.ASYNC_TERMINAL);
  }

  /** The rest of a synchronous pipeline, after this policy. Thread-safe. */
  interface Next {
    /** Runs {@code call} through the remaining policies, then the call itself. */
    <T> T proceed(Callable<T> call) throws Exception;
  }

  /** The rest of an asynchronous pipeline, after this policy. Thread-safe. */
  interface AsyncNext {
    /**
     * Runs {@code call} through the remaining policies, then the call itself. Never throws: a
     * failure, even one thrown by the supplier, completes the returned stage exceptionally.
     */
    <T> CompletionStage<T> proceed(Supplier<CompletionStage<T>> call);
  }
}
