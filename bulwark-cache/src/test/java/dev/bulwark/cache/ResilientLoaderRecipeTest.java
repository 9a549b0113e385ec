package dev.bulwark.cache;

import static org.assertj.core.api.Assertions.assertThat;

import dev.bulwark.Resilience;
import dev.bulwark.circuitbreaker.CircuitBreaker;
import dev.bulwark.fallback.Aged;
import dev.bulwark.fallback.Fallback;
import dev.bulwark.fallback.FallbackConfig;
import dev.bulwark.fallback.Served;
import dev.bulwark.retry.Backoff;
import dev.bulwark.retry.Retry;
import dev.bulwark.test.ManualClock;
import dev.bulwark.test.ManualScheduler;
import java.io.IOException;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;
import org.junit.jupiter.api.Test;

/**
 * The resilient loader of the README, run: cache, then breaker and retry, then a fallback value
 * cached with a short ttl, then statistics.
 */
class ResilientLoaderRecipeTest {

  private final ManualClock clock = ManualClock.create();
  private final ManualScheduler scheduler = new ManualScheduler(clock);

  /** A configuration server that can be taken down. */
  static final class ConfigServer {
    final AtomicBoolean down = new AtomicBoolean();
    final AtomicInteger calls = new AtomicInteger();
    final AtomicInteger failNext = new AtomicInteger();

    String fetch(String key) throws IOException {
      calls.incrementAndGet();
      if (down.get() || failNext.getAndUpdate(n -> Math.max(0, n - 1)) > 0) {
        throw new IOException("config server unavailable");
      }
      return key + "=v" + calls.get();
    }
  }

  // @start region="recipe"
  static final String DEFAULT = "built-in default";

  final ConfigServer configServer = new ConfigServer();
  final Resilience resilience =
      Resilience.builder()
          .derive(CircuitBreaker.KIND, "settings", b -> b.consecutiveFailures(2))
          .derive(
              Retry.KIND,
              "settings",
              b -> b.maxAttempts(3).backoff(Backoff.fixed(Duration.ofMillis(100))))
          .clock(clock)
          .scheduler(scheduler)
          .build();
  final ResilientCache<String, String> settings =
      ResilientCache.<String, String>builder("settings", Codec.string())
          .config(
              CacheConfig.builder()
                  .ttl(Duration.ofMinutes(5))
                  .staleIfError(Duration.ofHours(1))
                  .build())
          .resilience(resilience) // loads run through resilience.pipeline("settings")
          .build();
  final LongAdder fallbackUses = new LongAdder();

  String setting(String key) {
    try {
      return settings.get(key, configServer::fetch); // fresh, else loaded, else stale-if-error
    } catch (Exception unavailable) { // down, retried, nothing stale: a default, kept briefly
      settings.put(key, DEFAULT, Duration.ofSeconds(30));
      fallbackUses.increment();
      return DEFAULT;
    }
  }

  // @end

  @Test
  void theResilientLoaderServesFreshThenRetriedThenStaleThenAShortLivedDefault() {
    assertThat(setting("timeout")).isEqualTo("timeout=v1"); // a miss, one primary load
    assertThat(setting("timeout")).isEqualTo("timeout=v1"); // a hit

    clock.advance(Duration.ofMinutes(5));
    configServer.failNext.set(1);
    assertThat(setting("timeout")).isEqualTo("timeout=v3"); // the retry hid one failure

    clock.advance(Duration.ofMinutes(6));
    configServer.down.set(true);
    assertThat(setting("timeout")).isEqualTo("timeout=v3"); // stale-if-error, 6 minutes old

    assertThat(setting("region")).isEqualTo(DEFAULT); // never loaded: the default
    assertThat(resilience.circuitBreaker("settings").state()).isEqualTo(CircuitBreaker.State.OPEN);
    assertThat(setting("region")).isEqualTo(DEFAULT); // and the default is a hit now
    int calls = configServer.calls.get();
    assertThat(setting("zone")).isEqualTo(DEFAULT); // the open breaker spares the server
    assertThat(configServer.calls.get()).isEqualTo(calls);

    configServer.down.set(false);
    clock.advance(Duration.ofMinutes(2)); // the default's 30 s are over, the breaker probes
    assertThat(setting("region")).startsWith("region=v");

    CacheStats stats = settings.stats();
    assertThat(stats.hits()).isEqualTo(2);
    assertThat(stats.misses()).isEqualTo(6);
    assertThat(stats.loads()).isEqualTo(6);
    assertThat(stats.loadFailures()).isEqualTo(3);
    assertThat(stats.staleServed()).isEqualTo(1);
    assertThat(fallbackUses.sum()).isEqualTo(2);
  }

  @Test
  void theCacheIsARungOfAFallbackLadderWithTheValuesAge() throws Exception {
    setting("timeout");
    clock.advance(Duration.ofMinutes(20));
    String key = "timeout";
    Fallback<String> ladder =
        Fallback.of(
            "settings-ladder",
            FallbackConfig.<String>builder()
                .thenAged("cache", failure -> settings.lastKnown(key))
                .otherwise("default", failure -> DEFAULT)
                .build(),
            clock);

    Served<String> served =
        ladder.serve(
            () -> {
              throw new IOException("down");
            });

    assertThat(served.value()).isEqualTo("timeout=v1");
    assertThat(served.rung()).isEqualTo("cache");
    assertThat(served.age()).contains(Duration.ofMinutes(20));
    assertThat(settings.lastKnown("never")).isNull();
    assertThat(settings.stats().fallbackUses()).isEqualTo(1);
    assertThat(Aged.of("x", Duration.ZERO).value()).isEqualTo("x");
  }
}
