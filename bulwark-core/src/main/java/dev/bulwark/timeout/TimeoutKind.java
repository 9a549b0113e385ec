package dev.bulwark.timeout;

import dev.bulwark.spi.PolicyKind;
import dev.bulwark.spi.Setting;
import dev.bulwark.timeout.TimeoutConfig.Builder;

/** The registry's description of timeouts, and their settings. */
final class TimeoutKind {
  private TimeoutKind() {}

  static final PolicyKind<Timeout, TimeoutConfig, Builder> KIND =
      PolicyKind.builder(
              "timeout",
              "timeout",
              TimeoutConfig.ofDefaults(),
              Timeout::of,
              TimeoutConfig::toBuilder,
              Builder::build)
          .settings(
              Setting.<Builder>ofDuration("DURATION", "timeout", true, Builder::timeout)
                  .doc("how long a call may run")
                  .defaultValue("`1s`, or `BULWARK_TIMEOUT` if set"),
              Setting.<Builder>ofBoolean(
                      "CANCEL_RUNNING_FUTURE", "cancelRunningFuture", Builder::cancelRunningFuture)
                  .doc("cancel an asynchronous call's future when its time is up")
                  .defaultValue("`true`"))
          .snapshot(Timeout::config)
          .pipeline(600, false)
          .build();
}
