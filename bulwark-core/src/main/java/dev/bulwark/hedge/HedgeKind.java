package dev.bulwark.hedge;

import dev.bulwark.hedge.HedgeConfig.Builder;
import dev.bulwark.spi.PolicyKind;
import dev.bulwark.spi.Setting;
import java.time.Duration;

/** The registry's description of hedges, and their settings. Hedges are in no pipeline. */
final class HedgeKind {
  private HedgeKind() {}

  static final PolicyKind<Hedge, HedgeConfig, Builder> KIND =
      PolicyKind.builder(
              "hedge",
              "hedge",
              HedgeConfig.ofDefaults(),
              Hedge::of,
              HedgeConfig::toBuilder,
              Builder::build)
          .settings(
              Setting.<Builder>ofDuration("DELAY", "delay", false, Builder::delay)
                  .doc("wait before a hedged attempt (the cap when a percentile is set)")
                  .defaultValue("`1s`"),
              Setting.<Builder>ofDecimal(
                      "DELAY_PERCENTILE",
                      "delayPercentile",
                      0,
                      true,
                      99.999,
                      Builder::delayPercentile)
                  .doc("wait this percentile of recent latencies instead")
                  .defaultValue("none"),
              Setting.<Builder>ofDuration("MIN_DELAY", "minDelay", false, Builder::minDelay)
                  .doc("the shortest wait a percentile can give")
                  .defaultValue("`1ms`")
                  .note("at most `DELAY`"),
              Setting.<Builder>ofInt("MIN_SAMPLES", "minSamples", 1, 1_000_000, Builder::minSamples)
                  .doc("latencies seen before the percentile is used")
                  .defaultValue("`20`"),
              Setting.<Builder>ofInt("MAX_HEDGES", "maxHedges", 1, 10, Builder::maxHedges)
                  .doc("extra attempts per call")
                  .defaultValue("`1`"),
              Setting.<Builder>ofDecimal(
                      "MAX_EXTRA_LOAD", "maxExtraLoad", 0, false, 10, Builder::maxExtraLoad)
                  .doc("hedged attempts per call over the window, at most")
                  .defaultValue("`0.1`"),
              Setting.<Builder>ofDuration(
                      "WINDOW",
                      "window",
                      Duration.ofSeconds(1),
                      false,
                      Duration.ofHours(1),
                      Builder::window)
                  .doc("the window latencies and load are counted over")
                  .defaultValue("`10s`"))
          .snapshot(Hedge::statistics)
          .build();
}
