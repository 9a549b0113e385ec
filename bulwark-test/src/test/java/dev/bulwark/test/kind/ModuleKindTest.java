package dev.bulwark.test.kind;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.bulwark.Resilience;
import dev.bulwark.ResilienceBuilder;
import dev.bulwark.event.PolicyEvicted;
import dev.bulwark.health.HealthStatus;
import dev.bulwark.policy.Policy;
import dev.bulwark.spi.PolicyKind;
import dev.bulwark.spi.Setting;
import dev.bulwark.test.ManualClock;
import dev.bulwark.test.ManualScheduler;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletionStage;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;

/**
 * A kind declared outside core ({@link Quota}, found through {@code META-INF/services}) gets
 * everything core's kinds get: settings from the environment, listing, reset, eviction, health and
 * live reconfiguration, with no change to core.
 */
class ModuleKindTest {
  private final ManualClock clock = ManualClock.create();
  private final ManualScheduler scheduler = new ManualScheduler(clock);

  private ResilienceBuilder builder() {
    return Resilience.builder().clock(clock).scheduler(scheduler);
  }

  @Test
  void aKindOnTheClassPathIsRegisteredAndReadsItsSettingsFromTheEnvironment() {
    Resilience resilience =
        builder()
            .environment(
                Map.of("BULWARK_QUOTA_MAX_CALLS", "2", "BULWARK_QUOTA_REPORTS_MAX_CALLS", "5"))
            .build();

    assertThat(resilience.kinds()).contains(Quota.KIND);
    assertThat(resilience.get(Quota.KIND, "any").config().maxCalls()).isEqualTo(2);
    assertThat(resilience.get(Quota.KIND, "reports").config().maxCalls()).isEqualTo(5);
    assertThat(resilience.config(Quota.KIND, "reports").orElseThrow().maxCalls()).isEqualTo(5);
  }

  @Test
  void itsSettingsAreCheckedAndAnUnknownOneSuggestsTheNearest() {
    assertThatThrownBy(() -> builder().properties(Map.of("bulwark.quota.max-calls", "0")).build())
        .hasMessage("bulwark.quota.max-calls must be in [1, 1000], was 0");
    assertThatThrownBy(() -> builder().environment(Map.of("BULWARK_QUOTA_MAX_CALS", "3")).build())
        .hasMessageStartingWith(
            "unknown Bulwark setting BULWARK_QUOTA_MAX_CALS; did you mean"
                + " BULWARK_QUOTA_MAX_CALLS?");
  }

  @Test
  void itIsListedAndResetByKindAndName() throws Exception {
    Resilience resilience = builder().build();
    Quota quota = resilience.get(Quota.KIND, "reports");
    quota.call(() -> "ok");

    assertThat(resilience.instances(Quota.KIND)).containsOnlyKeys("reports");
    assertThat(resilience.snapshots(Quota.KIND)).containsEntry("reports", 1);
    assertThat(resilience.reset(Quota.KIND, "reports")).isTrue();
    assertThat(quota.used()).isZero();
    assertThat(resilience.reset(Quota.KIND, "nothing")).isFalse();
    assertThat(resilience.find(Quota.KIND, "nothing")).isEmpty();
  }

  @Test
  void idleInstancesAreEvictedButABusyOneIsKept() throws Exception {
    Resilience resilience = builder().idleEviction(Duration.ofMinutes(1)).build();
    List<PolicyEvicted> evicted = new ArrayList<>();
    resilience.events().subscribe(PolicyEvicted.class, evicted::add);
    Quota exhausted = resilience.get(Quota.KIND, "exhausted");
    for (int i = 0; i < 3; i++) {
      exhausted.call(() -> "ok");
    }
    resilience.get(Quota.KIND, "idle");
    clock.advance(Duration.ofMinutes(2));

    assertThat(resilience.evictIdle()).isEqualTo(1);

    assertThat(evicted).extracting(PolicyEvicted::policyName).containsExactly("idle");
    assertThat(resilience.instances(Quota.KIND)).containsOnlyKeys("exhausted");
  }

  @Test
  void itFeedsTheRegistrysHealth() throws Exception {
    Resilience resilience = builder().build();
    Quota quota = resilience.get(Quota.KIND, "reports");
    assertThat(resilience.health().report().status()).isEqualTo(HealthStatus.HEALTHY);
    for (int i = 0; i < 3; i++) {
      quota.call(() -> "ok");
    }

    assertThatThrownBy(() -> quota.call(() -> "refused")).isInstanceOf(IllegalStateException.class);

    assertThat(resilience.health().report().status()).isEqualTo(HealthStatus.DEGRADED);
  }

  @Test
  void registeringTheSameKindTwiceDoesNothingButAnotherKindWithItsIdFails() {
    PolicyKind<Quota, QuotaConfig, QuotaConfig.Builder> impostor =
        PolicyKind.builder(
                "quota",
                "quota",
                QuotaConfig.ofDefaults(),
                (name, config, c, s) -> Quota.KIND.create(name, config, c, s),
                QuotaConfig::toBuilder,
                QuotaConfig.Builder::build)
            .build();

    assertThat(builder().kind(Quota.KIND).kind(Quota.KIND).build().kinds()).contains(Quota.KIND);
    assertThatThrownBy(() -> builder().kind(impostor).build())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("two policy kinds have the id 'quota'");
  }

  @Test
  void aKindNotRegisteredIsRefusedNamingIt() {
    PolicyKind<Quota, QuotaConfig, QuotaConfig.Builder> other =
        PolicyKind.builder(
                "other-quota",
                "other quota",
                QuotaConfig.ofDefaults(),
                (name, config, c, s) -> Quota.KIND.create(name, config, c, s),
                QuotaConfig::toBuilder,
                QuotaConfig.Builder::build)
            .build();

    assertThatThrownBy(() -> builder().build().get(other, "x"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("'other-quota'")
        .hasMessageContaining("builder().kind(");
    assertThat(builder().kind(other).build().get(other, "x").config().maxCalls()).isEqualTo(3);
  }

  // ---- configuration that changes at runtime ----

  @Test
  void anUpdatedConfigReachesLiveInstancesAndLaterOnes() {
    Resilience resilience = builder().derive(Quota.KIND, "reports", b -> b.maxCalls(4)).build();
    Quota live = resilience.get(Quota.KIND, "reports");
    Quota other = resilience.get(Quota.KIND, "other"); // on the default config
    Quota exact = resilience.get(Quota.KIND, "exact", QuotaConfig.ofDefaults());

    Resilience.ConfigUpdate update =
        resilience.overrideConfig(Quota.KIND, "reports", b -> b.maxCalls(9));

    assertThat(update.reconfigured()).containsExactly("quota 'reports'");
    assertThat(update.notLive()).isEmpty();
    assertThat(live.config().maxCalls()).isEqualTo(9);
    assertThat(other.config().maxCalls()).isEqualTo(3);
    assertThat(exact.config().maxCalls()).isEqualTo(3);
    assertThat(resilience.config(Quota.KIND, "reports").orElseThrow().maxCalls()).isEqualTo(9);
    resilience.evictIdle();
    assertThat(resilience.get(Quota.KIND, "reports")).isSameAs(live);
  }

  @Test
  void aNewConfigNameMovesAnInstanceOfThatNameOffTheDefault() {
    Resilience resilience = builder().build();
    Quota payments = resilience.get(Quota.KIND, "payments");

    resilience.updateConfig(
        Quota.KIND, "payments", QuotaConfig.ofDefaults().toBuilder().maxCalls(7).build());

    assertThat(payments.config().maxCalls()).isEqualTo(7);
    assertThat(resilience.get(Quota.KIND, "later").config().maxCalls()).isEqualTo(3);
  }

  @Test
  void reloadReadsTheSourcesAgainAndReconfiguresWhatChanged() {
    Map<String, String> environment = new HashMap<>(Map.of("BULWARK_QUOTA_MAX_CALLS", "2"));
    Resilience resilience = builder().environment(() -> Map.copyOf(environment)).build();
    Quota a = resilience.get(Quota.KIND, "a");
    Quota b = resilience.get(Quota.KIND, "b");

    environment.put("BULWARK_QUOTA_MAX_CALLS", "6");
    environment.put("BULWARK_MAX_INSTANCES", "50");
    Resilience.ConfigUpdate update = resilience.reload();

    assertThat(a.config().maxCalls()).isEqualTo(6);
    assertThat(b.config().maxCalls()).isEqualTo(6);
    assertThat(update.reconfigured()).containsExactlyInAnyOrder("quota 'a'", "quota 'b'");
    assertThat(update.notLive()).containsExactly("BULWARK_MAX_INSTANCES");
    assertThat(resilience.maxInstances()).isEqualTo(10_000);
    assertThat(resilience.reload().reconfigured()).isEmpty(); // nothing changed since
  }

  @Test
  void aReloadWithABadValueAppliesNothing() {
    Map<String, String> environment = new HashMap<>(Map.of("BULWARK_QUOTA_MAX_CALLS", "2"));
    Resilience resilience = builder().environment(() -> Map.copyOf(environment)).build();
    Quota a = resilience.get(Quota.KIND, "a");

    environment.put("BULWARK_QUOTA_MAX_CALLS", "0");

    assertThatThrownBy(resilience::reload)
        .hasMessage("BULWARK_QUOTA_MAX_CALLS must be in [1, 1000], was 0");
    assertThat(a.config().maxCalls()).isEqualTo(2);
  }

  @Test
  void aChangeOneInstanceRefusesIsUndoneEverywhereAndNamesTheSetting() {
    Resilience resilience = builder().build();
    Quota a = resilience.get(Quota.KIND, "a");
    Quota b = resilience.get(Quota.KIND, "b");
    b.freeze();

    assertThatThrownBy(() -> resilience.overrideConfig(Quota.KIND, "default", c -> c.maxCalls(8)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage(
            "quota 'b' cannot take the new config: maxCalls cannot change: quota 'b' is"
                + " frozen");

    assertThat(a.config().maxCalls()).isEqualTo(3);
    assertThat(b.config().maxCalls()).isEqualTo(3);
    assertThat(resilience.config(Quota.KIND, "default").orElseThrow().maxCalls()).isEqualTo(3);
    assertThat(resilience.get(Quota.KIND, "later").config().maxCalls()).isEqualTo(3);
  }

  @Test
  void aSettingThatCannotChangeLiveIsRefusedNamingIt() {
    Resilience resilience = builder().build();
    Quota a = resilience.get(Quota.KIND, "a");

    assertThatThrownBy(() -> resilience.overrideConfig(Quota.KIND, "default", c -> c.strict(true)))
        .hasMessageContaining("strict cannot change while the quota runs");
    assertThat(a.config().strict()).isFalse();
  }

  @Test
  void aPolicyThatCannotChangeLiveIsReportedAndLaterInstancesUseTheNewConfig() {
    PolicyKind<Tally, QuotaConfig, QuotaConfig.Builder> tally =
        PolicyKind.builder(
                "tally",
                "tally",
                QuotaConfig.ofDefaults(),
                (name, config, c, s) -> new Tally(name, config),
                QuotaConfig::toBuilder,
                QuotaConfig.Builder::build)
            .build();
    Resilience resilience = builder().kind(tally).build();
    Tally old = resilience.get(tally, "t");

    Resilience.ConfigUpdate update =
        resilience.overrideConfig(tally, "default", c -> c.maxCalls(5));

    assertThat(update.notLive()).containsExactly("tally 't'");
    assertThat(old.config.maxCalls()).isEqualTo(3);
    assertThat(resilience.get(tally, "new").config.maxCalls()).isEqualTo(5);
  }

  /** A policy that is not reconfigurable. */
  private record Tally(String name, QuotaConfig config) implements Policy {
    @Override
    public <T> T execute(Callable<T> call, Next next) throws Exception {
      return next.proceed(call);
    }

    @Override
    public <T> CompletionStage<T> executeAsync(Supplier<CompletionStage<T>> call, AsyncNext next) {
      return next.proceed(call);
    }
  }

  @Test
  void theKindsOwnSettingDeclarationsAreVisibleToDocs() {
    assertThat(Quota.KIND.settings())
        .extracting(Setting::name)
        .containsExactly("MAX_CALLS", "STRICT");
    assertThat(Quota.KIND.envPrefix()).isEqualTo("QUOTA_");
  }
}
