package dev.bulwark.fallback;

import dev.bulwark.event.EventSource;
import dev.bulwark.event.FallbackServed;
import dev.bulwark.internal.Check;
import dev.bulwark.internal.Failures;
import dev.bulwark.internal.Relay;
import dev.bulwark.retry.RetryExhaustedException;
import dev.bulwark.spi.EventBus;
import dev.bulwark.time.Clock;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;

/*
 * Design. Stateless apart from one counter (served, VarHandle getAndAdd). A call that succeeds
 * with a result nobody asked to replace returns it untouched: no allocation, one null check. A
 * handled failure climbs the ladder: each rung is asked in order and the first to serve wins;
 * then the counter moves and the event is published, once per replaced outcome, by the thread
 * that replaced it. An asynchronous call's caller holds a Relay: cancelling it reaches the call,
 * and a cancelled call is never replaced (nobody is waiting for a fallback).
 */
final class LadderFallback<T> implements Fallback<T> {
  private static final VarHandle SERVED;

  static {
    try {
      SERVED = MethodHandles.lookup().findVarHandle(LadderFallback.class, "served", long.class);
    } catch (ReflectiveOperationException e) {
      throw new ExceptionInInitializerError(e);
    }
  }

  private final String name;
  private final FallbackConfig<T> config;
  private final List<Rung<T>> ladder;
  private final Clock clock;
  private final EventBus events = new EventBus();

  private volatile long served;

  LadderFallback(String name, FallbackConfig<T> config, Clock clock) {
    this.name = name;
    this.config = config;
    this.ladder = config.ladder();
    this.clock = clock;
  }

  @Override
  public String name() {
    return name;
  }

  @Override
  public FallbackConfig<T> config() {
    return config;
  }

  @Override
  public EventSource events() {
    return events.view();
  }

  @Override
  public Snapshot snapshot() {
    return new Snapshot(served);
  }

  @Override
  @SuppressWarnings("unchecked") // documented: the fallback's T stands in for the call's U
  public <U> U execute(Callable<U> call, Next next) throws Exception {
    Check.notNull("call", call);
    Check.notNull("next", next);
    U value;
    try {
      value = next.proceed(call);
    } catch (Throwable failure) { // rethrown unwrapped unless handled
      Served<T> replacement = onFailure(failure);
      if (replacement == null) {
        throw rethrow(failure);
      }
      return (U) replacement.value();
    }
    if (config.handlesResult(value)) {
      Served<T> replacement = climb(null);
      if (replacement != null) {
        return (U) replacement.value();
      }
    }
    return value;
  }

  @Override
  @SuppressWarnings("unchecked") // documented: the fallback's T stands in for the call's U
  public <U> CompletionStage<U> executeAsync(Supplier<CompletionStage<U>> call, AsyncNext next) {
    Check.notNull("call", call);
    Check.notNull("next", next);
    Relay<U> result = new Relay<>();
    CompletionStage<U> stage = next.proceed(call);
    stage.whenComplete(
        (value, failure) -> {
          if (result.isDone()) {
            return; // cancelled by the caller: nothing to replace, nobody to serve
          }
          try {
            Served<T> replacement = resolve(value, failure);
            if (replacement != null) {
              result.relay((U) replacement.value(), null);
            } else if (failure != null) {
              result.relay(null, failure);
            } else {
              result.relay(value, null);
            }
          } catch (Throwable rungFailure) { // a rung threw: that is the outcome now
            result.relay(null, rungFailure);
          }
        });
    result.upstream(stage); // the caller's cancel reaches the call
    return result;
  }

  @Override
  public Served<T> serve(Callable<? extends T> call) throws Exception {
    Check.notNull("call", call);
    T value;
    try {
      value = call.call();
    } catch (Throwable failure) {
      Served<T> replacement = onFailure(failure);
      if (replacement == null) {
        throw rethrow(failure);
      }
      return replacement;
    }
    return servedFor(value);
  }

  @Override
  public CompletionStage<Served<T>> serveAsync(
      Supplier<? extends CompletionStage<? extends T>> call) {
    Check.notNull("call", call);
    CompletableFuture<Served<T>> result = new CompletableFuture<>();
    CompletionStage<? extends T> stage;
    try {
      stage = call.get();
      if (stage == null) {
        throw new NullPointerException("the asynchronous call returned a null stage");
      }
    } catch (RuntimeException e) {
      stage = CompletableFuture.failedFuture(e);
    }
    stage.whenComplete(
        (value, failure) -> {
          try {
            if (failure == null) {
              result.complete(servedFor(value));
              return;
            }
            Served<T> replacement = resolve(null, failure);
            if (replacement == null) {
              result.completeExceptionally(failure);
            } else {
              result.complete(replacement);
            }
          } catch (Throwable rungFailure) {
            result.completeExceptionally(rungFailure);
          }
        });
    return result;
  }

  @Override
  public String toString() {
    return "Fallback[" + name + ", rungs=" + config.rungs() + "]";
  }

  private Served<T> servedFor(T value) throws Exception {
    if (config.handlesResult(value)) {
      Served<T> replacement = climb(null);
      if (replacement != null) {
        return replacement;
      }
    }
    return Served.fresh(value);
  }

  /** The replacement for an outcome, or null if it stands (not handled, or no rung had one). */
  private @Nullable Served<T> resolve(@Nullable Object value, @Nullable Throwable failure)
      throws Exception {
    if (failure != null) {
      return onFailure(Failures.unwrap(failure));
    }
    return config.handlesResult(value) ? climb(null) : null;
  }

  private @Nullable Served<T> onFailure(Throwable failure) throws Exception {
    // Handled or not by what really happened (an IOException retried until the retry gave up is
    // an IOException); the rungs still see the failure as the call produced it.
    return config.handles(RetryExhaustedException.failureOf(failure)) ? climb(failure) : null;
  }

  /** Asks each rung in order; the first that serves wins and is counted and published. */
  private @Nullable Served<T> climb(@Nullable Throwable failure) throws Exception {
    for (Rung<T> rung : ladder) {
      Served<T> replacement;
      try {
        replacement = rung.serve(failure);
      } catch (Throwable rungFailure) {
        if (failure != null && failure != rungFailure) {
          rungFailure.addSuppressed(failure);
        }
        throw rethrow(rungFailure);
      }
      if (replacement != null) {
        SERVED.getAndAdd(this, 1L);
        if (events.hasListeners(FallbackServed.class)) {
          events.publish(
              new FallbackServed(
                  name,
                  replacement.rung(),
                  failure,
                  replacement.age().orElse(null),
                  clock.wallTime()));
        }
        return replacement;
      }
    }
    return null;
  }

  private static Exception rethrow(Throwable failure) {
    if (failure instanceof Error) {
      throw (Error) failure;
    }
    return (Exception) failure; // only Exceptions reach here: callers declare Exception
  }
}
