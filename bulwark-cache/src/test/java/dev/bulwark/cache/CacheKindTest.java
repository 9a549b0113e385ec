package dev.bulwark.cache;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.bulwark.Resilience;
import dev.bulwark.ResilienceBuilder;
import dev.bulwark.circuitbreaker.CircuitBreakerOpenException;
import dev.bulwark.test.ManualClock;
import dev.bulwark.test.ManualScheduler;
import java.io.IOException;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** The cache as a kind of the registry: settings from the environment, listing, reset, eviction. */
class CacheKindTest {
  private final ManualClock clock = ManualClock.nearOverflow();
  private final ManualScheduler scheduler = new ManualScheduler(clock);
  private final AtomicInteger loads = new AtomicInteger();

  private ResilienceBuilder builder() {
    return Resilience.builder().clock(clock).scheduler(scheduler);
  }

  private String load(String key) {
    return key + "#" + loads.incrementAndGet();
  }

  @Test
  void theKindIsFoundOnTheClassPathAndANamedCacheReadsItsSettingsFromTheEnvironment()
      throws Exception {
    Resilience resilience =
        builder()
            .environment(
                Map.of(
                    "BULWARK_CACHE_TTL", "1m",
                    "BULWARK_CACHE_USERS_TTL", "10s",
                    "BULWARK_CACHE_USERS_LOCAL_TTL", "4s",
                    "BULWARK_CACHE_USERS_MAXIMUM_SIZE", "500"))
            .build();

    assertThat(resilience.kinds()).contains(ResilientCache.KIND);
    CacheConfig users = resilience.get(ResilientCache.KIND, "users").config();
    assertThat(users.ttl()).isEqualTo(Duration.ofSeconds(10));
    assertThat(users.localTtl()).contains(Duration.ofSeconds(4));
    assertThat(users.maximumSize()).isEqualTo(500);
    assertThat(resilience.get(ResilientCache.KIND, "prices").config().ttl())
        .isEqualTo(Duration.ofMinutes(1));

    ResilientCache<String, String> cache = ResilientCache.named(resilience, "users");
    assertThat(cache.get("a", this::load)).isEqualTo("a#1");
    clock.advance(Duration.ofMillis(9_999));
    assertThat(cache.get("a", this::load)).isEqualTo("a#1");
    clock.advance(Duration.ofMillis(1)); // the ttl from the environment is over
    assertThat(cache.get("a", this::load)).isEqualTo("a#2");
  }

  @Test
  void propertiesConfigureItToo() {
    Resilience resilience =
        builder()
            .properties(
                Map.of(
                    "bulwark.cache.users.stale-if-error", "PT2M",
                    "bulwark.cache.early-refresh-beta", "1.5"))
            .build();

    CacheConfig users = resilience.config(ResilientCache.KIND, "users").orElseThrow();
    assertThat(users.staleIfError()).isEqualTo(Duration.ofMinutes(2));
    assertThat(users.earlyRefreshBeta()).isEqualTo(1.5);
  }

  @Test
  void anUnknownSettingIsRefusedSuggestingTheNearest() {
    assertThatThrownBy(
            () -> builder().environment(Map.of("BULWARK_CACHE_USERS_TTTL", "5s")).build())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith(
            "unknown Bulwark setting BULWARK_CACHE_USERS_TTTL; did you mean"
                + " BULWARK_CACHE_USERS_TTL?");
    assertThatThrownBy(
            () -> builder().properties(Map.of("bulwark.cache.stale-if-eror", "1s")).build())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith(
            "unknown Bulwark setting bulwark.cache.stale-if-eror; did you mean"
                + " bulwark.cache.stale-if-error?");
  }

  @Test
  void aValueOutOfRangeIsRefusedNamingTheVariableAndTheRange() {
    assertThatThrownBy(() -> builder().environment(Map.of("BULWARK_CACHE_LEASE", "2m")).build())
        .hasMessage("BULWARK_CACHE_LEASE must be in [0, PT1M], was 2m");
    assertThatThrownBy(
            () ->
                builder()
                    .environment(
                        Map.of("BULWARK_CACHE_TTL", "30s", "BULWARK_CACHE_LOCAL_TTL", "1m"))
                    .build())
        .hasMessage("BULWARK_CACHE_LOCAL_TTL must be in (0, PT30S] (ttl), was 1m");
  }

  @Test
  void namedCachesAreListedWithTheirStatisticsAndResetEmptiesThem() throws Exception {
    Resilience resilience = builder().build();
    ResilientCache<String, String> users = ResilientCache.named(resilience, "users");
    users.get("a", this::load);
    users.get("a", this::load);

    assertThat(resilience.instances(ResilientCache.KIND)).containsOnlyKeys("users");
    assertThat(resilience.get(ResilientCache.KIND, "users")).isSameAs(users);
    assertThat(resilience.snapshots(ResilientCache.KIND).get("users"))
        .isInstanceOfSatisfying(
            CacheStats.class,
            stats -> {
              assertThat(stats.processHits()).isEqualTo(1);
              assertThat(stats.loads()).isEqualTo(1);
            });

    assertThat(resilience.reset(ResilientCache.KIND, "users")).isTrue();

    assertThat(users.getIfPresent("a")).isNull();
    assertThat(users.get("a", this::load)).isEqualTo("a#2");
    assertThat(resilience.reset(ResilientCache.KIND, "nothing")).isFalse();
  }

  @Test
  void anIdleCacheIsEvictedButOneWithALoadRunningIsKept() throws Exception {
    Resilience resilience = builder().idleEviction(Duration.ofMinutes(1)).build();
    ResilientCache<String, String> loading = ResilientCache.named(resilience, "loading");
    ResilientCache.named(resilience, "idle");
    CompletableFuture<String> source = new CompletableFuture<>();
    CompletableFuture<String> pending = loading.getAsync("a", k -> source);
    clock.advance(Duration.ofMinutes(2));

    resilience.evictIdle();

    assertThat(resilience.instances(ResilientCache.KIND)).containsOnlyKeys("loading");
    source.complete("value");
    assertThat(pending.get(5, TimeUnit.SECONDS)).isEqualTo("value");
  }

  @Test
  void loadsOfANamedCacheRunThroughTheRegistrysPipelineOfItsName() throws Exception {
    Resilience resilience =
        builder().environment(Map.of("BULWARK_BREAKER_USERS_FAILURE_THRESHOLD", "1")).build();
    ResilientCache<String, String> users = ResilientCache.named(resilience, "users");

    assertThatThrownBy(
            () ->
                users.get(
                    "a",
                    k -> {
                      throw new IOException("user service down");
                    }))
        .hasRootCauseInstanceOf(IOException.class);

    assertThatThrownBy(() -> users.get("b", this::load))
        .isInstanceOf(CircuitBreakerOpenException.class);
    assertThat(loads).hasValue(0);
  }

  @Test
  void aBuiltCacheGivenTheRegistryTakesTheConfigOfItsNameUnlessGivenOne() {
    Resilience resilience =
        builder().environment(Map.of("BULWARK_CACHE_PRICES_TTL", "42s")).build();

    ResilientCache<String, String> fromRegistry =
        ResilientCache.<String, String>builder("prices", Codec.string())
            .resilience(resilience)
            .build();
    ResilientCache<String, String> given =
        ResilientCache.<String, String>builder("prices", Codec.string())
            .config(CacheConfig.builder().ttl(Duration.ofSeconds(7)).build())
            .resilience(resilience)
            .build();

    assertThat(fromRegistry.config().ttl()).isEqualTo(Duration.ofSeconds(42));
    assertThat(given.config().ttl()).isEqualTo(Duration.ofSeconds(7));
  }

  @Test
  void registeringTheKindOnTheBuilderToo() {
    Resilience resilience = builder().kind(ResilientCache.KIND).build();

    assertThat(resilience.kinds()).containsOnlyOnce(ResilientCache.KIND);
    assertThat(ResilientCache.KIND.envPrefix()).isEqualTo("CACHE_");
  }

  @Test
  void aCacheReloadIsReportedNotLiveAndLaterCachesUseTheNewConfig() {
    java.util.HashMap<String, String> env = new java.util.HashMap<>();
    env.put("BULWARK_CACHE_TTL", "10s");
    Resilience resilience = builder().environment(() -> Map.copyOf(env)).build();
    NamedCache old = resilience.get(ResilientCache.KIND, "old");

    env.put("BULWARK_CACHE_TTL", "20s");
    Resilience.ConfigUpdate update = resilience.reload();

    assertThat(update.notLive()).containsExactly("cache 'old'");
    assertThat(old.config().ttl()).isEqualTo(Duration.ofSeconds(10));
    assertThat(resilience.get(ResilientCache.KIND, "new").config().ttl())
        .isEqualTo(Duration.ofSeconds(20));
  }

  @Test
  void aCacheInAPipelineLetsCallsThrough() throws Exception {
    NamedCache cache = builder().build().get(ResilientCache.KIND, "c");
    CountDownLatch ran = new CountDownLatch(1);

    assertThat(cache.call(() -> "through")).isEqualTo("through");
    cache.callAsync(
        () -> {
          ran.countDown();
          return CompletableFuture.completedFuture("x");
        });
    assertThat(ran.getCount()).isZero();
  }
}
