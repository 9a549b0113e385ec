package dev.bulwark.cache;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.bulwark.fallback.Aged;
import dev.bulwark.test.ManualClock;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** The process level alone, on a manual clock. */
class ProcessLevelTest {

  private final ManualClock clock = ManualClock.nearOverflow();
  private final AtomicInteger loads = new AtomicInteger();

  private ResilientCache<String, String> cache(CacheConfig config) {
    return ResilientCache.<String, String>builder("prices", Codec.string())
        .config(config)
        .clock(clock)
        .executor(Runnable::run)
        .build();
  }

  private String load(String key) {
    return key + "#" + loads.incrementAndGet();
  }

  @Test
  void loadsOnceThenServesFromTheProcessUntilTheTtlEnds() throws Exception {
    ResilientCache<String, String> cache =
        cache(CacheConfig.builder().ttl(Duration.ofSeconds(10)).build());

    assertThat(cache.get("a", this::load)).isEqualTo("a#1");
    clock.advance(Duration.ofMillis(9_999));
    assertThat(cache.get("a", this::load)).isEqualTo("a#1");
    clock.advance(Duration.ofMillis(1));
    assertThat(cache.get("a", this::load)).isEqualTo("a#2");

    CacheStats stats = cache.stats();
    assertThat(stats.processHits()).isEqualTo(1);
    assertThat(stats.misses()).isEqualTo(2);
    assertThat(stats.loads()).isEqualTo(2);
    assertThat(stats.redisHits()).isZero();
  }

  @Test
  void servesAStaleValueWithItsAgeWhenTheLoadFailsWithinStaleIfError() throws Exception {
    ResilientCache<String, String> cache =
        cache(
            CacheConfig.builder()
                .ttl(Duration.ofSeconds(10))
                .staleIfError(Duration.ofSeconds(30))
                .build());
    cache.get("a", this::load);
    clock.advance(Duration.ofSeconds(25));

    Aged<String> served =
        cache.getAged(
            "a",
            k -> {
              throw new IOException("config server down");
            });

    assertThat(served.value()).isEqualTo("a#1");
    assertThat(served.age()).isEqualTo(Duration.ofSeconds(25));
    assertThat(cache.stats().staleServed()).isEqualTo(1);
    assertThat(cache.stats().loadFailures()).isEqualTo(1);

    clock.advance(Duration.ofSeconds(15)); // 40 s old: 30 s past its ttl, beyond stale-if-error
    assertThatThrownBy(
            () ->
                cache.get(
                    "a",
                    k -> {
                      throw new IOException("config server down");
                    }))
        .isInstanceOf(IOException.class)
        .hasMessage("config server down");
  }

  @Test
  void aFailedLoadWithNothingStaleReachesTheCallerUnwrapped() {
    ResilientCache<String, String> cache = cache(CacheConfig.ofDefaults());
    IOException boom = new IOException("boom");
    assertThatThrownBy(
            () ->
                cache.get(
                    "a",
                    k -> {
                      throw boom;
                    }))
        .isSameAs(boom);
  }

  @Test
  void staleWhileRevalidateServesTheOldValueAndRefreshesItInTheBackground() throws Exception {
    List<Runnable> background = new ArrayList<>();
    ResilientCache<String, String> cache =
        ResilientCache.<String, String>builder("prices", Codec.string())
            .config(
                CacheConfig.builder()
                    .ttl(Duration.ofSeconds(10))
                    .staleWhileRevalidate(Duration.ofSeconds(5))
                    .build())
            .clock(clock)
            .executor(background::add)
            .build();
    cache.get("a", this::load);
    clock.advance(Duration.ofSeconds(12));

    assertThat(cache.get("a", this::load)).isEqualTo("a#1"); // at once, stale
    assertThat(loads).hasValue(1);
    runAll(background); // the refresh (and Caffeine's upkeep, which runs there too)
    assertThat(loads).hasValue(2);
    assertThat(cache.get("a", this::load)).isEqualTo("a#2");
    assertThat(cache.stats().staleServed()).isEqualTo(1);

    clock.advance(Duration.ofSeconds(16)); // past ttl and the revalidate window: a plain miss
    assertThat(cache.get("a", this::load)).isEqualTo("a#3");
    runAll(background);
    assertThat(loads).hasValue(3); // no refresh after a plain miss
  }

  private static void runAll(List<Runnable> tasks) {
    while (!tasks.isEmpty()) {
      tasks.remove(0).run();
    }
  }

  @Test
  void aThousandConcurrentMissesOfOneKeyCauseOneLoad() throws Exception {
    ResilientCache<String, String> cache = cache(CacheConfig.ofDefaults());
    CountDownLatch loading = new CountDownLatch(1);
    CountDownLatch release = new CountDownLatch(1);
    ExecutorService pool = Executors.newFixedThreadPool(64);
    try {
      List<Future<String>> results = new ArrayList<>();
      for (int i = 0; i < 1_000; i++) {
        results.add(
            pool.submit(
                () ->
                    cache.get(
                        "hot",
                        k -> {
                          loading.countDown();
                          release.await();
                          return load(k);
                        })));
      }
      assertThat(loading.await(10, TimeUnit.SECONDS)).isTrue();
      // every thread of the pool is now either waiting on the load or queued behind them
      org.awaitility.Awaitility.await()
          .atMost(Duration.ofSeconds(10))
          .until(() -> cache.stats().loadsCoalesced() >= 63);
      release.countDown();
      for (Future<String> result : results) {
        assertThat(result.get(10, TimeUnit.SECONDS)).isEqualTo("hot#1");
      }
    } finally {
      pool.shutdownNow();
    }
    assertThat(loads).hasValue(1);
    CacheStats stats = cache.stats();
    assertThat(stats.loads()).isEqualTo(1);
    assertThat(stats.processHits() + stats.loadsCoalesced() + 1).isEqualTo(1_000);
    assertThat(stats.loadsSaved()).isEqualTo(999); // every caller but the one that loaded
  }

  @Test
  void remembersNotFoundForTheNegativeTtl() throws Exception {
    ResilientCache<String, String> cache =
        cache(CacheConfig.builder().negativeTtl(Duration.ofSeconds(2)).build());
    AtomicInteger asked = new AtomicInteger();
    ResilientCache.Loader<String, String> missing =
        k -> {
          asked.incrementAndGet();
          return null;
        };

    assertThat(cache.get("ghost", missing)).isNull();
    assertThat(cache.get("ghost", missing)).isNull();
    assertThat(asked).hasValue(1);
    clock.advance(Duration.ofSeconds(2));
    assertThat(cache.get("ghost", missing)).isNull();
    assertThat(asked).hasValue(2);
  }

  @Test
  void withoutNegativeCachingNotFoundIsAskedEveryTime() throws Exception {
    ResilientCache<String, String> cache = cache(CacheConfig.ofDefaults());
    AtomicInteger asked = new AtomicInteger();
    ResilientCache.Loader<String, String> missing =
        k -> {
          asked.incrementAndGet();
          return null;
        };
    cache.get("ghost", missing);
    cache.get("ghost", missing);
    assertThat(asked).hasValue(2);
  }

  @Test
  void xfetchRefreshesASlowLoadEarlyNearItsExpiryButNotRightAfterIt() throws Exception {
    ResilientCache<String, String> cache =
        cache(CacheConfig.builder().ttl(Duration.ofSeconds(60)).earlyRefreshBeta(1).build());
    ResilientCache.Loader<String, String> slow =
        k -> {
          clock.advance(Duration.ofSeconds(1)); // the load takes 1 s: XFetch's delta
          return load(k);
        };
    cache.get("a", slow);
    for (int i = 0; i < 1_000; i++) { // expiry 60 s away, delta 1 s: P(early) = e^-60 per hit
      cache.get("a", slow);
    }
    assertThat(loads).hasValue(1);

    clock.advance(Duration.ofMillis(59_900)); // 0.1 s before expiry: P(early) = 0.9 per hit
    for (int i = 0; i < 100 && loads.get() == 1; i++) {
      assertThat(cache.get("a", slow)).startsWith("a#");
    }
    assertThat(loads).hasValue(2);
  }

  @Test
  void refreshAheadReloadsAValueOlderThanItsThresholdOnAHit() throws Exception {
    ResilientCache<String, String> cache =
        cache(
            CacheConfig.builder()
                .ttl(Duration.ofSeconds(60))
                .refreshAhead(Duration.ofSeconds(45))
                .build());
    cache.get("a", this::load);
    clock.advance(Duration.ofSeconds(44));
    assertThat(cache.get("a", this::load)).isEqualTo("a#1");
    assertThat(loads).hasValue(1);
    clock.advance(Duration.ofSeconds(1));
    assertThat(cache.get("a", this::load)).isEqualTo("a#1"); // served, refreshed behind it
    assertThat(loads).hasValue(2);
    assertThat(cache.get("a", this::load)).isEqualTo("a#2");
  }

  @Test
  void putStoresAValueForItsOwnTtlAndInvalidateRemovesIt() throws Exception {
    ResilientCache<String, String> cache =
        cache(CacheConfig.builder().ttl(Duration.ofMinutes(5)).staleIfError(Duration.ZERO).build());
    cache.put("a", "fallback", Duration.ofSeconds(10));
    assertThat(cache.getIfPresent("a")).isEqualTo("fallback");
    assertThat(cache.get("a", this::load)).isEqualTo("fallback");
    clock.advance(Duration.ofSeconds(10));
    assertThat(cache.getIfPresent("a")).isNull();
    assertThat(cache.get("a", this::load)).isEqualTo("a#1");

    cache.invalidate("a");
    assertThat(cache.getIfPresent("a")).isNull();
    assertThat(cache.get("a", this::load)).isEqualTo("a#2");
    cache.invalidateAll();
    assertThat(cache.get("a", this::load)).isEqualTo("a#3");
  }

  @Test
  void lastKnownGivesAStaleValueWithItsAgeForAFallbackLadder() throws Exception {
    ResilientCache<String, String> cache =
        cache(
            CacheConfig.builder()
                .ttl(Duration.ofSeconds(10))
                .staleIfError(Duration.ofSeconds(60))
                .build());
    assertThat(cache.lastKnown("a")).isNull();
    cache.get("a", this::load);
    clock.advance(Duration.ofSeconds(30));

    assertThat(cache.lastKnown("a")).isEqualTo(Aged.of("a#1", Duration.ofSeconds(30)));
    assertThat(cache.stats().fallbackUses()).isEqualTo(1);
    assertThat(cache.stats().staleServed()).isEqualTo(1); // 20 s past its ttl
    clock.advance(Duration.ofSeconds(40));
    assertThat(cache.lastKnown("a")).isNull();
  }

  @Test
  void getAsyncLoadsOnceAndServesHitsFromTheProcess() throws Exception {
    ResilientCache<String, String> cache = cache(CacheConfig.ofDefaults());
    CompletableFuture<String> pending = new CompletableFuture<>();
    CompletableFuture<String> first = cache.getAsync("a", k -> pending);
    CompletableFuture<String> second =
        cache.getAsync("a", k -> CompletableFuture.completedFuture("never"));
    assertThat(first).isNotDone();
    pending.complete("a-value");
    assertThat(first.get(5, TimeUnit.SECONDS)).isEqualTo("a-value");
    assertThat(second.get(5, TimeUnit.SECONDS)).isEqualTo("a-value");
    assertThat(cache.getAsync("a", k -> CompletableFuture.completedFuture("never")).join())
        .isEqualTo("a-value");
    assertThat(cache.stats().loads()).isEqualTo(1);
    assertThat(cache.stats().loadsCoalesced()).isEqualTo(1);
    assertThat(cache.stats().processHits()).isEqualTo(1);
  }

  @Test
  void getAsyncServesStaleIfErrorAndFailsWithTheLoadsFailureOtherwise() throws Exception {
    ResilientCache<String, String> cache =
        cache(
            CacheConfig.builder()
                .ttl(Duration.ofSeconds(10))
                .staleIfError(Duration.ofSeconds(30))
                .build());
    cache.getAsync("a", k -> CompletableFuture.completedFuture("old")).join();
    clock.advance(Duration.ofSeconds(20));
    assertThat(
            cache.getAsync("a", k -> CompletableFuture.failedFuture(new IOException("down"))).get())
        .isEqualTo("old");
    assertThat(cache.getAsync("b", k -> CompletableFuture.failedFuture(new IOException("down"))))
        .failsWithin(Duration.ofSeconds(5))
        .withThrowableOfType(java.util.concurrent.ExecutionException.class)
        .withCauseInstanceOf(IOException.class);
  }

  @Test
  void getAsyncServesStaleWhileRevalidatingWithOneBackgroundLoad() throws Exception {
    ResilientCache<String, String> cache =
        cache(
            CacheConfig.builder()
                .ttl(Duration.ofSeconds(10))
                .staleWhileRevalidate(Duration.ofSeconds(5))
                .build());
    cache.getAsync("a", k -> CompletableFuture.completedFuture("old")).join();
    clock.advance(Duration.ofSeconds(12));
    CompletableFuture<String> refresh = new CompletableFuture<>();
    AtomicInteger refreshes = new AtomicInteger();
    ResilientCache.AsyncLoader<String, String> loader =
        k -> {
          refreshes.incrementAndGet();
          return refresh;
        };

    assertThat(cache.getAsync("a", loader).get(5, TimeUnit.SECONDS)).isEqualTo("old");
    assertThat(cache.getAsync("a", loader).get(5, TimeUnit.SECONDS)).isEqualTo("old");
    assertThat(refreshes).hasValue(1); // the second caller found the refresh under way: no wait
    refresh.complete("new");
    assertThat(cache.getAsync("a", loader).get(5, TimeUnit.SECONDS)).isEqualTo("new");
    assertThat(cache.stats().staleServed()).isEqualTo(2);
  }

  @Test
  void publishesEventsOnlyToListenersWithKindKeyAndAge() throws Exception {
    ResilientCache<String, String> cache =
        cache(
            CacheConfig.builder()
                .ttl(Duration.ofSeconds(10))
                .staleIfError(Duration.ofSeconds(30))
                .build());
    List<CacheEvent> seen = new ArrayList<>();
    cache.events().subscribe(e -> seen.add((CacheEvent) e));
    cache.get("a", this::load);
    cache.get("a", this::load);
    clock.advance(Duration.ofSeconds(12));
    cache.get(
        "a",
        k -> {
          throw new IOException("down");
        });

    assertThat(seen)
        .extracting(CacheEvent::kind)
        .containsExactly(
            CacheEvent.Kind.MISS,
            CacheEvent.Kind.LOADED,
            CacheEvent.Kind.PROCESS_HIT,
            CacheEvent.Kind.MISS,
            CacheEvent.Kind.LOAD_FAILED,
            CacheEvent.Kind.STALE_SERVED);
    assertThat(seen.get(5).key()).isEqualTo("a");
    assertThat(seen.get(5).duration()).isEqualTo(Duration.ofSeconds(12));
    assertThat(seen.get(5).policyName()).isEqualTo("prices");
  }

  @Test
  void evictsTheLeastUsedBeyondTheMaximumSizeAndCountsIt() throws Exception {
    ResilientCache<String, String> cache = cache(CacheConfig.builder().maximumSize(10).build());
    List<CacheEvent> evicted = new ArrayList<>();
    cache
        .events()
        .subscribe(
            e -> {
              if (((CacheEvent) e).kind() == CacheEvent.Kind.EVICTED) {
                evicted.add((CacheEvent) e);
              }
            });
    for (int i = 0; i < 100; i++) {
      cache.get("k" + i, this::load);
    }
    assertThat(cache.stats().evictions()).isGreaterThanOrEqualTo(90);
    assertThat(evicted).hasSize((int) cache.stats().evictions());
    assertThat(evicted.get(0).key()).startsWith("k");
  }

  @Test
  void badSettingsFailNamingTheFieldAndRange() {
    assertThatThrownBy(() -> CacheConfig.builder().ttl(Duration.ZERO)).hasMessageContaining("ttl");
    assertThatThrownBy(
            () ->
                CacheConfig.builder()
                    .ttl(Duration.ofSeconds(10))
                    .localTtl(Duration.ofSeconds(20))
                    .build())
        .hasMessage("localTtl must be in (0, PT10S] (ttl), was PT20S");
    assertThatThrownBy(() -> CacheConfig.builder().earlyRefreshBeta(11))
        .hasMessage("earlyRefreshBeta must be in [0.0, 10.0], was 11.0");
    assertThatThrownBy(() -> CacheConfig.builder().lease(Duration.ofMinutes(2)))
        .hasMessage("lease must be in [0, PT1M], was PT2M");
    assertThatThrownBy(() -> CacheConfig.builder().version(0))
        .hasMessage("version must be in [1, 1000000], was 0");
    assertThatThrownBy(
            () -> ResilientCache.builder("x", Codec.string()).processLevel(false).build())
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("needs a level");
  }
}
