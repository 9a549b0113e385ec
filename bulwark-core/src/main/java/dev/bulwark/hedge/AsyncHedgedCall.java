package dev.bulwark.hedge;

import dev.bulwark.policy.Policy.AsyncNext;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Future;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;

/** An asynchronous hedged call: each attempt is a stage from the rest of the pipeline. */
final class AsyncHedgedCall<T> extends HedgedCall<T> {
  private final Supplier<CompletionStage<T>> call;
  private final AsyncNext next;

  AsyncHedgedCall(
      RacingHedge hedge,
      Supplier<CompletionStage<T>> call,
      AsyncNext next,
      long startNanos,
      long delayNanos) {
    super(hedge, startNanos, delayNanos);
    this.call = call;
    this.next = next;
  }

  @Override
  @Nullable Future<?> launch(int attempt) {
    CompletionStage<T> stage;
    try {
      stage = next.proceed(call);
      if (stage == null) {
        stage = CompletableFuture.failedFuture(new NullPointerException("null stage"));
      }
    } catch (RuntimeException e) { // proceed never throws, but a failing supplier must not escape
      stage = CompletableFuture.failedFuture(e);
    }
    Future<?> handle;
    try {
      handle = stage.toCompletableFuture();
    } catch (UnsupportedOperationException e) {
      handle = null; // a stage that cannot be a future cannot be cancelled; its outcome is dropped
    }
    stage.whenComplete((value, failure) -> attemptDone(attempt, value, failure));
    return handle;
  }
}
