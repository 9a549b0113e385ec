package dev.bulwark.retry;

import dev.bulwark.spi.PolicyKind;
import dev.bulwark.spi.Setting;
import java.time.Duration;
import org.jspecify.annotations.Nullable;

/**
 * The registry's description of retries, and their settings. The four backoff settings each make
 * the backoff exponential, keeping the values not set from the builder's backoff; the initial delay
 * raises the cap when the cap is shorter (an explicit cap, applied after it, is checked).
 */
final class RetryKind {
  private RetryKind() {}

  static final PolicyKind<Retry, RetryConfig, RetryConfig.Builder> KIND =
      PolicyKind.builder(
              "retry",
              "retry",
              RetryConfig.ofDefaults(),
              Retry::of,
              RetryConfig::toBuilder,
              RetryConfig.Builder::build)
          .settings(
              Setting.<RetryConfig.Builder>ofInt(
                      "MAX_ATTEMPTS", "maxAttempts", 1, 1000, RetryConfig.Builder::maxAttempts)
                  .doc("attempts of a call, counting the first")
                  .defaultValue("`3`"),
              Setting.<RetryConfig.Builder>ofDuration(
                      "INITIAL_DELAY",
                      "initial",
                      true,
                      (b, v) -> {
                        Backoff old = b.currentBackoff();
                        Duration max = old.max().compareTo(v) < 0 ? v : old.max();
                        b.backoff(exponential(v, old.multiplier(), max, old));
                      })
                  .doc("`backoff().initial()`: the wait after the first attempt")
                  .defaultValue("`100ms`"),
              Setting.<RetryConfig.Builder>ofDuration(
                      "MAX_DELAY",
                      "max",
                      true,
                      (b, v) ->
                          b.backoff(
                              exponential(
                                  null, b.currentBackoff().multiplier(), v, b.currentBackoff())))
                  .doc("`backoff().max()`: the longest wait")
                  .defaultValue("`10s` (raised to `INITIAL_DELAY` if shorter and not set)")
                  .note("at least `INITIAL_DELAY`"),
              Setting.<RetryConfig.Builder>ofDecimal(
                      "MULTIPLIER",
                      "multiplier",
                      1,
                      false,
                      1000,
                      (b, v) ->
                          b.backoff(
                              exponential(null, v, b.currentBackoff().max(), b.currentBackoff())))
                  .doc("`backoff().multiplier()`: growth of the wait per attempt")
                  .defaultValue("`2`"),
              Setting.<RetryConfig.Builder, Backoff.Jitter>ofChoice(
                      "JITTER",
                      "jitter",
                      Backoff.Jitter.class,
                      (b, v) ->
                          b.backoff(
                              exponential(
                                      null,
                                      b.currentBackoff().multiplier(),
                                      b.currentBackoff().max(),
                                      b.currentBackoff())
                                  .withJitter(v)))
                  .doc("`backoff().jitter()`: how waits are spread")
                  .defaultValue("`FULL`"),
              Setting.<RetryConfig.Builder>ofDuration(
                      "MAX_DURATION", "maxDuration", true, RetryConfig.Builder::maxDuration)
                  .doc("time budget of the whole call, retries included")
                  .defaultValue("none"),
              Setting.<RetryConfig.Builder>ofDuration(
                      "ATTEMPT_TIMEOUT",
                      "attemptTimeout",
                      true,
                      RetryConfig.Builder::attemptTimeout)
                  .doc("time limit of each attempt")
                  .defaultValue("none"))
          .snapshot(Retry::statistics)
          .pipeline(500, true)
          .build();

  /** An exponential backoff; {@code initial} null keeps the old one's, and so does the jitter. */
  private static Backoff exponential(
      @Nullable Duration initial, double multiplier, Duration max, Backoff old) {
    return Backoff.exponential(initial != null ? initial : old.initial(), multiplier, max)
        .withJitter(old.jitter());
  }
}
