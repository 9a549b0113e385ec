package dev.bulwark.stress;

import dev.bulwark.policy.Policy;
import dev.bulwark.timeout.TimeoutExceededException;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Supplier;

/**
 * A transparent policy that counts what passes one point of a pipeline: calls entering, and how
 * they came back. Put between two policies, it tells the soak what the outer one really received
 * (for example how many attempts a retry made and how many of them a timeout cut short).
 *
 * <p>Thread-safe.
 */
final class Probe implements Policy {
  private final String name;
  final LongAdder entered = new LongAdder();
  final LongAdder succeeded = new LongAdder();
  final LongAdder timedOut = new LongAdder();
  final LongAdder failed = new LongAdder();

  Probe(String name) {
    this.name = name;
  }

  @Override
  public String name() {
    return name;
  }

  @Override
  public <T> T execute(Callable<T> call, Next next) throws Exception {
    entered.increment();
    try {
      T value = next.proceed(call);
      succeeded.increment();
      return value;
    } catch (TimeoutExceededException e) {
      timedOut.increment();
      throw e;
    } catch (Throwable e) {
      failed.increment();
      throw e;
    }
  }

  @Override
  public <T> CompletionStage<T> executeAsync(Supplier<CompletionStage<T>> call, AsyncNext next) {
    entered.increment();
    CompletableFuture<T> inner = next.proceed(call).toCompletableFuture();
    // Cancelling what this probe returns cancels what it wraps: the probe must not be the place
    // where a cancellation stops travelling inwards.
    CompletableFuture<T> outer =
        new CompletableFuture<>() {
          @Override
          public boolean cancel(boolean mayInterruptIfRunning) {
            inner.cancel(mayInterruptIfRunning);
            return super.cancel(mayInterruptIfRunning);
          }
        };
    inner.whenComplete(
        (value, failure) -> {
          Throwable cause =
              failure instanceof CompletionException && failure.getCause() != null
                  ? failure.getCause()
                  : failure;
          if (cause == null) {
            succeeded.increment();
            outer.complete(value);
          } else {
            if (cause instanceof TimeoutExceededException) {
              timedOut.increment();
            } else {
              failed.increment();
            }
            outer.completeExceptionally(cause);
          }
        });
    return outer;
  }

  long ended() {
    return succeeded.sum() + timedOut.sum() + failed.sum();
  }
}
