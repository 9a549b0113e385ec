package dev.bulwark.timeout;

import dev.bulwark.spi.PolicyKind;
import dev.bulwark.spi.Setting;

/** The registry's description of timeouts, and their settings. */
final class TimeoutKind {
  private TimeoutKind() {}

  static final PolicyKind<Timeout, TimeoutConfig, TimeoutConfig.Builder> KIND =
      PolicyKind.builder(
              "timeout",
              "timeout",
              TimeoutConfig.ofDefaults(),
              Timeout::of,
              TimeoutConfig::toBuilder,
              TimeoutConfig.Builder::build)
          .settings(
              Setting.<TimeoutConfig.Builder>ofDuration(
                      "DURATION", "timeout", true, TimeoutConfig.Builder::timeout)
                  .doc("how long a call may run")
                  .defaultValue("`1s`, or `BULWARK_TIMEOUT` if set"),
              Setting.<TimeoutConfig.Builder>ofBoolean(
                      "CANCEL_RUNNING_FUTURE",
                      "cancelRunningFuture",
                      TimeoutConfig.Builder::cancelRunningFuture)
                  .doc("cancel an asynchronous call's future when its time is up")
                  .defaultValue("`true`"))
          .snapshot(Timeout::config)
          .pipeline(600, false)
          .build();
}
