package dev.bulwark.hedge;

import dev.bulwark.spi.PolicyKind;
import dev.bulwark.spi.Setting;
import java.time.Duration;

/** The registry's description of hedges, and their settings. Hedges are in no pipeline. */
final class HedgeKind {
  private HedgeKind() {}

  static final PolicyKind<Hedge, HedgeConfig, HedgeConfig.Builder> KIND =
      PolicyKind.builder(
              "hedge",
              "hedge",
              HedgeConfig.ofDefaults(),
              Hedge::of,
              HedgeConfig::toBuilder,
              HedgeConfig.Builder::build)
          .settings(
              Setting.<HedgeConfig.Builder>ofDuration(
                      "DELAY", "delay", false, HedgeConfig.Builder::delay)
                  .doc("wait before a hedged attempt (the cap when a percentile is set)")
                  .defaultValue("`1s`"),
              Setting.<HedgeConfig.Builder>ofDecimal(
                      "DELAY_PERCENTILE",
                      "delayPercentile",
                      0,
                      true,
                      99.999,
                      HedgeConfig.Builder::delayPercentile)
                  .doc("wait this percentile of recent latencies instead")
                  .defaultValue("none"),
              Setting.<HedgeConfig.Builder>ofDuration(
                      "MIN_DELAY", "minDelay", false, HedgeConfig.Builder::minDelay)
                  .doc("the shortest wait a percentile can give")
                  .defaultValue("`1ms`")
                  .note("at most `DELAY`"),
              Setting.<HedgeConfig.Builder>ofInt(
                      "MIN_SAMPLES", "minSamples", 1, 1_000_000, HedgeConfig.Builder::minSamples)
                  .doc("latencies seen before the percentile is used")
                  .defaultValue("`20`"),
              Setting.<HedgeConfig.Builder>ofInt(
                      "MAX_HEDGES", "maxHedges", 1, 10, HedgeConfig.Builder::maxHedges)
                  .doc("extra attempts per call")
                  .defaultValue("`1`"),
              Setting.<HedgeConfig.Builder>ofDecimal(
                      "MAX_EXTRA_LOAD",
                      "maxExtraLoad",
                      0,
                      false,
                      10,
                      HedgeConfig.Builder::maxExtraLoad)
                  .doc("hedged attempts per call over the window, at most")
                  .defaultValue("`0.1`"),
              Setting.<HedgeConfig.Builder>ofDuration(
                      "WINDOW",
                      "window",
                      Duration.ofSeconds(1),
                      false,
                      Duration.ofHours(1),
                      HedgeConfig.Builder::window)
                  .doc("the window latencies and load are counted over")
                  .defaultValue("`10s`"))
          .snapshot(Hedge::statistics)
          .build();
}
