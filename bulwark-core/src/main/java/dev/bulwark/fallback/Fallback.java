package dev.bulwark.fallback;

import dev.bulwark.event.EventSource;
import dev.bulwark.internal.Check;
import dev.bulwark.policy.Policy;
import dev.bulwark.spi.PolicyKind;
import dev.bulwark.time.Clock;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletionStage;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * Replaces a failed call's outcome with a degraded value: a constant, a supplier's value, a value
 * computed from the failure, or the first rung of a {@link FallbackConfig ladder} that has one (a
 * cached value with its age, the last value known, an "unavailable" marker).
 *
 * <p>By default only failures of the remote side are replaced (rejections, timeouts, I/O errors);
 * programming errors pass through unwrapped; see {@link FallbackConfig}. A replaced outcome is
 * never a plain success: each one is published as a {@link dev.bulwark.event.FallbackServed
 * FallbackServed} event naming the rung and the failure, and counted in {@link Snapshot#served()},
 * so health and metrics can report the service as degraded.
 *
 * <p><b>Types.</b> A {@link Policy} is generic per call, so inside a {@link
 * dev.bulwark.policy.Pipeline} the fallback's value is handed back with an unchecked cast to the
 * call's type: a {@code Fallback<String>} in a pipeline whose call returns an {@code Integer} fails
 * with a {@code ClassCastException} where the caller uses the value. Use one fallback per result
 * type. The typed methods {@link #serve} and {@link #serveAsync} are checked by the compiler and
 * also say which rung served and how old the value is:
 *
 * {@snippet :
 * Served<Quote> quote = fallback.serve(() -> pipeline.call(() -> quotes.fetch(symbol)));
 * if (quote.isDegraded()) {
 *   page.banner("prices as of " + quote.age().map(Duration::toSeconds).orElse(-1L) + "s ago");
 * }
 * }
 *
 * <p>Rungs run on the thread that saw the failure (for an asynchronous call, the thread that
 * completed its stage): keep them quick. A rung that throws fails the call with its exception, the
 * original failure added to it as suppressed.
 *
 * <p>Thread-safe if its functions are.
 *
 * @param <T> the type of the values it serves
 */
public interface Fallback<T> extends Policy {

  /**
   * The registry's description of fallbacks (of any value type, as a pipeline sees them): settings,
   * snapshot, eviction, pipeline rank; pass it to {@code Resilience.get(KIND, name)}.
   */
  PolicyKind<Fallback<Object>, FallbackConfig<Object>, FallbackConfig.Builder<Object>> KIND =
      FallbackKind.KIND;

  /**
   * A fallback named {@code name} that serves {@code value} (rung "fallback"; null is a value like
   * any other) for the default failures.
   *
   * @throws NullPointerException if {@code name} is null
   * @throws IllegalArgumentException if {@code name} is blank
   */
  static <T> Fallback<T> toValue(String name, T value) {
    return of(name, FallbackConfig.<T>builder().otherwise("fallback", failure -> value).build());
  }

  /**
   * A fallback named {@code name} that serves what {@code supplier} gives (rung "fallback") for the
   * default failures.
   *
   * @throws NullPointerException if an argument is null
   * @throws IllegalArgumentException if {@code name} is blank
   */
  static <T> Fallback<T> toSupplier(String name, Supplier<? extends T> supplier) {
    Check.notNull("supplier", supplier);
    return of(
        name, FallbackConfig.<T>builder().otherwise("fallback", failure -> supplier.get()).build());
  }

  /**
   * A fallback named {@code name} that serves what {@code function} computes from the failure (rung
   * "fallback") for the default failures.
   *
   * @throws NullPointerException if an argument is null
   * @throws IllegalArgumentException if {@code name} is blank
   */
  static <T> Fallback<T> of(String name, Function<? super Throwable, ? extends T> function) {
    Check.notNull("function", function);
    return of(name, FallbackConfig.<T>builder().otherwise("fallback", function).build());
  }

  /**
   * A fallback named {@code name} with {@code config}, on the system clock (used only to stamp
   * events).
   *
   * @throws NullPointerException if an argument is null
   * @throws IllegalArgumentException if {@code name} is blank
   */
  static <T> Fallback<T> of(String name, FallbackConfig<T> config) {
    return of(name, config, Clock.system());
  }

  /**
   * A fallback named {@code name} with {@code config}, stamping events with {@code clock}.
   *
   * @throws NullPointerException if an argument is null
   * @throws IllegalArgumentException if {@code name} is blank
   */
  static <T> Fallback<T> of(String name, FallbackConfig<T> config, Clock clock) {
    return new LadderFallback<>(
        Check.name(name), Check.notNull("config", config), Check.notNull("clock", clock));
  }

  /** The configuration of this fallback. */
  FallbackConfig<T> config();

  /** Where this fallback's events can be listened to. */
  EventSource events();

  /** How many outcomes this fallback replaced so far. */
  Snapshot snapshot();

  /**
   * Runs {@code call} and says what was served: its value (rung {@link Served#FRESH}), or a rung's
   * degraded value with the rung's name, the value's age and the failure. Allocates a {@link
   * Served} per call; use the policy methods on a hot path.
   *
   * @throws Exception what the call threw, unwrapped, if the fallback does not handle it or no rung
   *     has a value; or what a rung threw
   */
  Served<T> serve(Callable<? extends T> call) throws Exception;

  /**
   * Runs an asynchronous {@code call} and completes with what was served, as {@link #serve}. Never
   * throws: failures complete the returned stage exceptionally.
   */
  CompletionStage<Served<T>> serveAsync(Supplier<? extends CompletionStage<? extends T>> call);

  /**
   * A fallback's counts at one moment.
   *
   * @param served outcomes replaced by a rung since the fallback was built
   */
  record Snapshot(long served) {}
}
