package dev.bulwark.ratelimit;

import dev.bulwark.spi.PolicyKind;
import dev.bulwark.spi.Setting;

/** The registry's description of rate limiters, and their settings. */
final class RateLimiterKind {
  private RateLimiterKind() {}

  static final PolicyKind<RateLimiter, RateLimiterConfig, RateLimiterConfig.Builder> KIND =
      PolicyKind.builder(
              "rate-limiter",
              "rate limiter",
              RateLimiterConfig.ofDefaults(),
              RateLimiter::of,
              RateLimiterConfig::toBuilder,
              RateLimiterConfig.Builder::build)
          .settings(
              Setting.<RateLimiterConfig.Builder>ofInt(
                      "LIMIT", "limit", 1, Integer.MAX_VALUE, RateLimiterConfig.Builder::limit)
                  .doc("permits per period")
                  .defaultValue("`100`")
                  .note("at most one per nanosecond of the period"),
              Setting.<RateLimiterConfig.Builder>ofDuration(
                      "PERIOD", "period", true, RateLimiterConfig.Builder::period)
                  .doc("the period the limit is counted over")
                  .defaultValue("`1s`"),
              Setting.<RateLimiterConfig.Builder>ofInt(
                      "BURST", "burst", 1, Integer.MAX_VALUE, RateLimiterConfig.Builder::burst)
                  .doc("permits that can be taken at once after a quiet time")
                  .defaultValue("the limit")
                  .note("only for `TOKEN_BUCKET`"),
              Setting.<RateLimiterConfig.Builder>ofDuration(
                      "MAX_WAIT", "maxWait", false, RateLimiterConfig.Builder::maxWait)
                  .doc("how long a call may wait for a permit")
                  .defaultValue("`0` (never wait)"),
              Setting.<RateLimiterConfig.Builder, RateLimiterConfig.Algorithm>ofChoice(
                      "ALGORITHM",
                      "algorithm",
                      RateLimiterConfig.Algorithm.class,
                      RateLimiterConfig.Builder::algorithm)
                  .doc("how permits are counted")
                  .defaultValue("`TOKEN_BUCKET`"))
          .snapshot(RateLimiter::snapshot)
          .busy(
              limiter -> {
                RateLimiter.Snapshot s = limiter.snapshot();
                return s.waitingCallers() != 0 || !s.timeUntilNextPermit().isZero();
              })
          .pipeline(300, false)
          .build();
}
