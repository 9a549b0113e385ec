package dev.bulwark.policy;

import java.lang.reflect.UndeclaredThrowableException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.Supplier;

/**
 * An ordered list of policies, outermost first, that every call goes through.
 *
 * <p>Build one per protected resource and reuse it for every call: the chain of steps is built
 * here, once, so a call through the pipeline allocates nothing of its own. Synchronous calls
 * ({@link #call}, {@link #get}, {@link #run}) and asynchronous ones ({@link #callAsync}) have the
 * same semantics. An exception thrown by the call itself, checked or not, reaches the caller
 * unwrapped.
 *
 * <p>The recommended order, outermost first, is fallback, bulkhead, rate limiter, circuit breaker,
 * retry, timeout: the breaker then counts one outcome per call (not one per retry) and never sees a
 * bulkhead's or limiter's rejection as a failure of the remote service.
 *
 * <pre>{@code
 * Pipeline pipeline = Pipeline.of(breaker, retry);
 * String body = pipeline.call(() -> client.fetch(uri));
 * }</pre>
 *
 * <p>Thread-safe.
 */
public final class Pipeline {

  static final Policy.Next TERMINAL = new Terminal();
  static final Policy.AsyncNext ASYNC_TERMINAL = new AsyncTerminal();

  private final List<Policy> policies;
  private final Policy.Next head;
  private final Policy.AsyncNext asyncHead;

  private Pipeline(List<Policy> policies) {
    this.policies = policies;
    Policy.Next next = TERMINAL;
    Policy.AsyncNext asyncNext = ASYNC_TERMINAL;
    for (int i = policies.size() - 1; i >= 0; i--) {
      next = new Step(policies.get(i), next);
      asyncNext = new AsyncStep(policies.get(i), asyncNext);
    }
    this.head = next;
    this.asyncHead = asyncNext;
  }

  /**
   * A pipeline of {@code policies}, outermost first. No policies makes a pipeline that runs the
   * call as it is.
   *
   * @throws NullPointerException if any policy is null
   * @throws IllegalArgumentException if one policy instance appears twice
   */
  public static Pipeline of(Policy... policies) {
    Objects.requireNonNull(policies, "policies must not be null");
    return of(Arrays.asList(policies));
  }

  /**
   * A pipeline of {@code policies}, outermost first.
   *
   * @throws NullPointerException if the list or any policy is null
   * @throws IllegalArgumentException if one policy instance appears twice
   */
  public static Pipeline of(List<? extends Policy> policies) {
    Objects.requireNonNull(policies, "policies must not be null");
    List<Policy> copy = new ArrayList<>(policies.size());
    for (int i = 0; i < policies.size(); i++) {
      Policy policy =
          Objects.requireNonNull(policies.get(i), "policies[" + i + "] must not be null");
      for (Policy seen : copy) {
        if (seen == policy) {
          throw new IllegalArgumentException(
              "policies["
                  + i
                  + "] ("
                  + policy.name()
                  + ") is already in the pipeline; "
                  + "a policy instance may appear once");
        }
      }
      copy.add(policy);
    }
    return new Pipeline(Collections.unmodifiableList(copy));
  }

  /** The policies of this pipeline, outermost first. Unmodifiable. */
  public List<Policy> policies() {
    return policies;
  }

  /**
   * Runs {@code call} through every policy.
   *
   * @throws NullPointerException if {@code call} is null
   * @throws RejectedException if a policy refuses the call
   * @throws Exception whatever the call itself threw, unwrapped
   */
  public <T> T call(Callable<T> call) throws Exception {
    Objects.requireNonNull(call, "call must not be null");
    return head.proceed(call);
  }

  /**
   * Runs {@code supplier} through every policy. Use {@link #call} on a hot path: adapting the
   * supplier may allocate.
   *
   * @throws RejectedException if a policy refuses the call
   * @throws RuntimeException whatever the supplier threw, unwrapped
   * @throws UndeclaredThrowableException wrapping a checked exception a policy threw, such as the
   *     {@code InterruptedException} of a retry interrupted while it waited
   */
  public <T> T get(Supplier<T> supplier) {
    Objects.requireNonNull(supplier, "supplier must not be null");
    try {
      return head.proceed(supplier::get);
    } catch (RuntimeException | Error e) {
      throw e;
    } catch (Exception e) {
      // Only a policy can throw a checked exception here: a retry interrupted while waiting throws
      // InterruptedException (and has restored the thread's interrupt flag).
      throw new UndeclaredThrowableException(e);
    }
  }

  /**
   * Runs {@code runnable} through every policy.
   *
   * @throws RejectedException if a policy refuses the call
   * @throws RuntimeException whatever the runnable threw, unwrapped
   */
  public void run(Runnable runnable) {
    Objects.requireNonNull(runnable, "runnable must not be null");
    get(
        () -> {
          runnable.run();
          return null;
        });
  }

  /**
   * Runs an asynchronous call through every policy. The returned stage completes with the call's
   * value, or exceptionally with what the call failed with (unwrapped) or with a {@link
   * RejectedException}. This method never throws for a failure of the call, even one its supplier
   * throws synchronously. Cancelling the returned stage's future travels through every policy to
   * the call inside; a call cancelled while it waits (for a bulkhead's permit, a limiter's, a
   * retry's backoff) never starts.
   */
  public <T> CompletionStage<T> callAsync(Supplier<CompletionStage<T>> call) {
    Objects.requireNonNull(call, "call must not be null");
    return asyncHead.proceed(call);
  }

  /** A callable that runs {@code call} through this pipeline each time it is called. */
  public <T> Callable<T> decorate(Callable<T> call) {
    Objects.requireNonNull(call, "call must not be null");
    return () -> head.proceed(call);
  }

  @Override
  public String toString() {
    StringBuilder sb = new StringBuilder("Pipeline[");
    for (int i = 0; i < policies.size(); i++) {
      sb.append(i == 0 ? "" : " > ").append(policies.get(i).name());
    }
    return sb.append(']').toString();
  }

  private static final class Step implements Policy.Next {
    private final Policy policy;
    private final Policy.Next next;

    Step(Policy policy, Policy.Next next) {
      this.policy = policy;
      this.next = next;
    }

    @Override
    public <T> T proceed(Callable<T> call) throws Exception {
      return policy.execute(call, next);
    }
  }

  private static final class Terminal implements Policy.Next {
    @Override
    public <T> T proceed(Callable<T> call) throws Exception {
      return call.call();
    }
  }

  private static final class AsyncStep implements Policy.AsyncNext {
    private final Policy policy;
    private final Policy.AsyncNext next;

    AsyncStep(Policy policy, Policy.AsyncNext next) {
      this.policy = policy;
      this.next = next;
    }

    @Override
    public <T> CompletionStage<T> proceed(Supplier<CompletionStage<T>> call) {
      try {
        CompletionStage<T> stage = policy.executeAsync(call, next);
        if (stage == null) {
          return CompletableFuture.failedFuture(
              new NullPointerException(policy.name() + " returned a null stage"));
        }
        return stage;
      } catch (RuntimeException e) {
        return CompletableFuture.failedFuture(e);
      }
    }
  }

  private static final class AsyncTerminal implements Policy.AsyncNext {
    @Override
    public <T> CompletionStage<T> proceed(Supplier<CompletionStage<T>> call) {
      try {
        CompletionStage<T> stage = call.get();
        if (stage == null) {
          return CompletableFuture.failedFuture(
              new NullPointerException("the asynchronous call returned a null stage"));
        }
        return stage;
      } catch (RuntimeException e) {
        return CompletableFuture.failedFuture(e);
      }
    }
  }
}
