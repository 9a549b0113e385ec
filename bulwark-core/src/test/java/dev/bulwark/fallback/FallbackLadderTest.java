package dev.bulwark.fallback;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.bulwark.event.FallbackServed;
import dev.bulwark.policy.Pipeline;
import dev.bulwark.test.ManualClock;
import dev.bulwark.test.ManualScheduler;
import dev.bulwark.timeout.Timeout;
import dev.bulwark.timeout.TimeoutConfig;
import java.io.IOException;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;

/**
 * The degradation ladder: fresh value, else cached value with its age, else last known value, else
 * "unavailable"; the caller can tell which rung served and how old the value is.
 */
class FallbackLadderTest {
  /** A quote, or the marker served when nothing is known. */
  record Quote(String symbol, long cents) {
    static final Quote UNAVAILABLE = new Quote("?", -1);
  }

  /** A tiny cache that knows how old its entries are, by the test's clock. */
  static final class QuoteCache {
    private final ManualClock clock;
    private final Map<String, Long> storedAtNanos = new HashMap<>();
    private final Map<String, Quote> quotes = new HashMap<>();

    QuoteCache(ManualClock clock) {
      this.clock = clock;
    }

    void put(Quote quote) {
      quotes.put(quote.symbol(), quote);
      storedAtNanos.put(quote.symbol(), clock.nanoTime());
    }

    Aged<Quote> getWithAge(String symbol) {
      Quote quote = quotes.get(symbol);
      return quote == null
          ? null
          : Aged.of(quote, Duration.ofNanos(clock.nanoTime() - storedAtNanos.get(symbol)));
    }

    void clear() {
      quotes.clear();
    }
  }

  private final ManualClock clock = ManualClock.nearOverflow();
  private final QuoteCache cache = new QuoteCache(clock);
  private final Map<String, Quote> lastKnown = new HashMap<>();
  private final List<FallbackServed> events = new CopyOnWriteArrayList<>();
  private final IOException down = new IOException("quote service down");

  // The example the Fallback docs describe.
  private final Fallback<Quote> quotes =
      Fallback.of(
          "quotes",
          FallbackConfig.<Quote>builder()
              .thenAged("cache", failure -> cache.getWithAge("ACME"))
              .then("last-known", failure -> lastKnown.get("ACME"))
              .otherwise("unavailable", failure -> Quote.UNAVAILABLE)
              .build(),
          clock);

  {
    quotes.events().subscribe(FallbackServed.class, events::add);
  }

  @Test
  void aFreshValueIsServedAsItIs() throws Exception {
    Served<Quote> served = quotes.serve(() -> new Quote("ACME", 1234));

    assertThat(served.value()).isEqualTo(new Quote("ACME", 1234));
    assertThat(served.rung()).isEqualTo(Served.FRESH);
    assertThat(served.isDegraded()).isFalse();
    assertThat(served.age()).contains(Duration.ZERO);
    assertThat(served.failure()).isNull();
    assertThat(quotes.snapshot().served()).isZero();
  }

  @Test
  void aCachedValueIsServedWithItsAge() throws Exception {
    cache.put(new Quote("ACME", 1200));
    clock.advance(Duration.ofSeconds(30));

    Served<Quote> served =
        quotes.serve(
            () -> {
              throw down;
            });

    assertThat(served.value()).isEqualTo(new Quote("ACME", 1200));
    assertThat(served.rung()).isEqualTo("cache");
    assertThat(served.isDegraded()).isTrue();
    assertThat(served.age()).contains(Duration.ofSeconds(30));
    assertThat(served.failure()).isSameAs(down);
    assertThat(events)
        .singleElement()
        .satisfies(
            e -> {
              assertThat(e.rung()).isEqualTo("cache");
              assertThat(e.age()).isEqualTo(Duration.ofSeconds(30));
              assertThat(e.failure()).isSameAs(down);
            });
  }

  @Test
  void theLastKnownValueIsServedWhenTheCacheHasNothing() throws Exception {
    lastKnown.put("ACME", new Quote("ACME", 1100));

    Served<Quote> served =
        quotes.serve(
            () -> {
              throw down;
            });

    assertThat(served.value()).isEqualTo(new Quote("ACME", 1100));
    assertThat(served.rung()).isEqualTo("last-known");
    assertThat(served.age()).as("this rung does not know its age").isEmpty();
  }

  @Test
  void unavailableIsServedWhenNothingIsKnown() throws Exception {
    Served<Quote> served =
        quotes.serve(
            () -> {
              throw down;
            });

    assertThat(served.value()).isSameAs(Quote.UNAVAILABLE);
    assertThat(served.rung()).isEqualTo("unavailable");
    assertThat(quotes.snapshot().served()).isEqualTo(1);
  }

  @Test
  void eachServedFallbackIsCountedOnce() throws Exception {
    cache.put(new Quote("ACME", 1200));
    quotes.serve(
        () -> {
          throw down;
        });
    cache.clear();
    quotes.serve(
        () -> {
          throw down;
        });
    quotes.serve(() -> new Quote("ACME", 1300));

    assertThat(quotes.snapshot().served()).isEqualTo(2);
    assertThat(events).extracting(FallbackServed::rung).containsExactly("cache", "unavailable");
  }

  @Test
  void withoutALastResortTheFailureReachesTheCallerWhenNoRungHasAValue() {
    Fallback<Quote> cacheOnly =
        Fallback.of(
            "quotes",
            FallbackConfig.<Quote>builder()
                .thenAged("cache", failure -> cache.getWithAge("ACME"))
                .build());

    assertThatThrownBy(
            () ->
                cacheOnly.serve(
                    () -> {
                      throw down;
                    }))
        .isSameAs(down);
    assertThat(cacheOnly.snapshot().served()).isZero();
  }

  @Test
  void aRungThatThrowsFailsTheCallWithTheOriginalFailureSuppressed() {
    IllegalStateException broken = new IllegalStateException("cache corrupt");
    Fallback<Quote> fallback =
        Fallback.of(
            "quotes",
            FallbackConfig.<Quote>builder()
                .then(
                    "cache",
                    failure -> {
                      throw broken;
                    })
                .otherwise("unavailable", failure -> Quote.UNAVAILABLE)
                .build());

    assertThatThrownBy(
            () ->
                fallback.serve(
                    () -> {
                      throw down;
                    }))
        .isSameAs(broken)
        .hasSuppressedException(down);
  }

  @Test
  void theAsynchronousLadderServesTheSameRungs() {
    cache.put(new Quote("ACME", 1200));
    clock.advance(Duration.ofSeconds(5));

    Served<Quote> degraded =
        quotes
            .serveAsync(() -> CompletableFuture.<Quote>failedFuture(down))
            .toCompletableFuture()
            .join();
    Served<Quote> fresh =
        quotes
            .serveAsync(() -> CompletableFuture.completedFuture(new Quote("ACME", 1300)))
            .toCompletableFuture()
            .join();

    assertThat(degraded.rung()).isEqualTo("cache");
    assertThat(degraded.age()).contains(Duration.ofSeconds(5));
    assertThat(fresh.rung()).isEqualTo(Served.FRESH);
  }

  @Test
  void aTimeoutInsideTheLadderIsServedFromTheCache() throws Exception {
    ManualScheduler scheduler = new ManualScheduler(clock);
    Timeout timeout =
        Timeout.of(
            "quotes-timeout",
            TimeoutConfig.builder().timeout(Duration.ofMillis(500)).build(),
            clock,
            scheduler);
    Pipeline remote = Pipeline.of(timeout);
    cache.put(new Quote("ACME", 1200));

    Served<Quote> served =
        quotes.serve(
            () ->
                remote.call(
                    () -> {
                      scheduler.sleep(Duration.ofSeconds(2).toNanos());
                      return new Quote("ACME", 1300);
                    }));

    assertThat(served.rung()).isEqualTo("cache");
    assertThat(served.age()).contains(Duration.ofMillis(500)); // cut at the deadline
    assertThat(Thread.currentThread().isInterrupted()).isFalse();
  }
}
