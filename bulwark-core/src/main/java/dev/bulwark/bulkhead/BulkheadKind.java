package dev.bulwark.bulkhead;

import dev.bulwark.spi.PolicyKind;
import dev.bulwark.spi.Setting;

/** The registry's description of bulkheads, and their settings. */
final class BulkheadKind {
  private BulkheadKind() {}

  static final PolicyKind<Bulkhead, BulkheadConfig, BulkheadConfig.Builder> KIND =
      PolicyKind.builder(
              "bulkhead",
              "bulkhead",
              BulkheadConfig.ofDefaults(),
              Bulkhead::of,
              BulkheadConfig::toBuilder,
              BulkheadConfig.Builder::build)
          .settings(
              Setting.<BulkheadConfig.Builder>ofInt(
                      "MAX_CONCURRENT_CALLS",
                      "maxConcurrentCalls",
                      1,
                      100_000,
                      BulkheadConfig.Builder::maxConcurrentCalls)
                  .doc("calls running at once")
                  .defaultValue("`25`"),
              Setting.<BulkheadConfig.Builder>ofDuration(
                      "MAX_WAIT", "maxWait", false, BulkheadConfig.Builder::maxWait)
                  .doc("wait for a free permit, first come first served")
                  .defaultValue("`0` (reject at once)"))
          .snapshot(Bulkhead::snapshot)
          .busy(
              bulkhead -> {
                Bulkhead.Snapshot s = bulkhead.snapshot();
                return s.inFlight() != 0 || s.waitingCalls() != 0;
              })
          .pipeline(200, false)
          .build();
}
