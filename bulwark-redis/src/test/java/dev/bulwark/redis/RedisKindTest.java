package dev.bulwark.redis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.bulwark.Resilience;
import dev.bulwark.ratelimit.RateLimiter;
import dev.bulwark.spi.Setting;
import dev.bulwark.test.redis.RedisExtension;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The fleet limiter as a registry kind: {@code BULWARK_REDIS_*} settings, live changes, secrets.
 */
class RedisKindTest {
  @RegisterExtension static final RedisExtension redis = RedisExtension.server();

  @AfterAll
  static void closeConnections() {
    FleetLimiter.closeSharedFleets();
  }

  private String uri() {
    return redis.redis().uri().toString();
  }

  @Test
  void aFleetLimiterIsBuiltFromTheEnvironmentAndSharesItsLimitThroughRedis() {
    Map<String, String> environment =
        Map.of(
            "BULWARK_REDIS_URI", uri(),
            "BULWARK_REDIS_EXPECTED_INSTANCES", "3",
            "BULWARK_REDIS_FALLBACK", "deny-all",
            "BULWARK_REDIS_PARTNER_LIMIT", "5",
            "BULWARK_REDIS_PARTNER_PERIOD", "1m");
    RateLimiter first =
        Resilience.builder()
            .environment(environment)
            .build()
            .get(FleetLimiter.KIND, "partner")
            .limiter();
    RateLimiter second =
        Resilience.builder()
            .environment(environment)
            .build()
            .get(FleetLimiter.KIND, "partner")
            .limiter();

    int admitted = 0;
    for (int i = 0; i < 5; i++) {
      admitted += first.tryAcquire() ? 1 : 0;
      admitted += second.tryAcquire() ? 1 : 0;
    }

    assertThat(admitted).isEqualTo(5);
    assertThat(redis.redis().command("EXISTS", "bulwark:rl:{partner}")).isEqualTo(1L);
  }

  @Test
  void aLeaseSetInTheEnvironmentTakesSeveralPermitsForOneInstance() {
    Map<String, String> environment =
        Map.of(
            "BULWARK_REDIS_URI", uri(),
            "BULWARK_REDIS_COMMAND_TIMEOUT", "2s",
            "BULWARK_REDIS_HOT_LIMIT", "5",
            "BULWARK_REDIS_HOT_PERIOD", "10m",
            "BULWARK_REDIS_HOT_LEASE", "5");
    redis.redis().command("DEL", "bulwark:rl:{hot}"); // a full bucket
    FleetLimiter first =
        Resilience.builder().environment(environment).build().get(FleetLimiter.KIND, "hot");
    FleetLimiter second =
        Resilience.builder().environment(environment).build().get(FleetLimiter.KIND, "hot");

    assertThat(first.limiter().tryAcquire()).isTrue(); // leases the whole bucket of 5
    assertThat(second.limiter().tryAcquire())
        .isFalse(); // the cost: the permits sit in first's lease
    for (int i = 0; i < 4; i++) {
      assertThat(first.limiter().tryAcquire()).isTrue();
    }
    assertThat(first.limiter().tryAcquire()).isFalse();
    assertThat(first.config().lease()).isEqualTo(5);
  }

  @Test
  void itsSettingsAreDeclaredAndCheckedNamingTheVariable() {
    assertThat(FleetLimiter.KIND.settings())
        .extracting(Setting::name)
        .containsExactly(
            "URI",
            "COMMAND_TIMEOUT",
            "FALLBACK",
            "EXPECTED_INSTANCES",
            "LIMIT",
            "PERIOD",
            "BURST",
            "MAX_WAIT",
            "LEASE");
    assertThat(FleetLimiter.KIND.envPrefix()).isEqualTo("REDIS_");
    assertThatThrownBy(
            () ->
                Resilience.builder()
                    .environment(Map.of("BULWARK_REDIS_COMMAND_TIMEOUT", "0s"))
                    .build())
        .hasMessage("BULWARK_REDIS_COMMAND_TIMEOUT must be in [PT0.001S, PT1M], was 0s");
    assertThatThrownBy(
            () -> Resilience.builder().environment(Map.of("BULWARK_REDIS_URI", " ")).build())
        .hasMessage("BULWARK_REDIS_URI must not be blank");
  }

  @Test
  void credentialsInTheUriAreNeverShown() {
    String secretUri = "redis://fleet:s3cret-pass@127.0.0.1:" + redis.redis().port();
    FleetLimiterConfig config = FleetLimiterConfig.builder().uri(secretUri).build();
    assertThat(config.toString()).doesNotContain("s3cret").contains("redis://***@127.0.0.1:");

    // values that do not fit: the message lists what was set, the URI as (secret)
    assertThatThrownBy(
            () ->
                Resilience.builder()
                    .environment(
                        Map.of("BULWARK_REDIS_URI", secretUri, "BULWARK_REDIS_PERIOD", "10us"))
                    .build()
                    .get(FleetLimiter.KIND, "any"))
        .satisfies(
            e -> {
              assertThat(e.getMessage()).doesNotContain("s3cret").contains("(secret)");
              assertThat(e.getMessage()).contains("limit must be in [1, 10]");
            });
  }

  @Test
  void theLimitChangesLiveButTheConnectionDoesNot() {
    Resilience resilience =
        Resilience.builder()
            .derive(
                FleetLimiter.KIND,
                "reports",
                b -> b.uri(uri()).limit(2).period(Duration.ofMinutes(1)))
            .build();
    FleetLimiter limiter = resilience.get(FleetLimiter.KIND, "reports");

    resilience.overrideConfig(FleetLimiter.KIND, "reports", b -> b.limit(3));

    assertThat(limiter.config().limiter().limit()).isEqualTo(3);
    assertThat(limiter.config().limiter().period()).isEqualTo(Duration.ofMinutes(1));
    assertThatThrownBy(
            () ->
                resilience.overrideConfig(
                    FleetLimiter.KIND, "reports", b -> b.uri("redis://127.0.0.1:1")))
        .hasMessageContaining("uri cannot change while the fleet limiter runs");
    assertThatThrownBy(
            () -> resilience.overrideConfig(FleetLimiter.KIND, "reports", b -> b.lease(2).burst(2)))
        .hasMessageContaining("lease cannot change while the fleet limiter runs");
    assertThatThrownBy(() -> FleetLimiterConfig.builder().limit(3).lease(4).build())
        .hasMessage("lease must be in [1, 3] (burst), was 4");
  }

  @Test
  void aFleetLimiterSaysWhetherItIsOnItsLocalFallback() {
    Resilience resilience =
        Resilience.builder()
            .derive(FleetLimiter.KIND, "live", b -> b.uri(uri()).limit(10))
            // nothing listens on port 1: the first command fails and the fallback decides
            .derive(FleetLimiter.KIND, "cut-off", b -> b.uri("redis://127.0.0.1:1").limit(10))
            .build();
    FleetLimiter live = resilience.get(FleetLimiter.KIND, "live");
    FleetLimiter cutOff = resilience.get(FleetLimiter.KIND, "cut-off");
    assertThat(cutOff.onFallback()).isFalse(); // nothing has failed yet

    live.limiter().tryAcquire();
    cutOff.limiter().tryAcquire();

    assertThat(live.onFallback()).isFalse();
    assertThat(cutOff.onFallback()).isTrue();
  }
}
