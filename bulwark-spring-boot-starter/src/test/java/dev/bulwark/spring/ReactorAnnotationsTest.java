package dev.bulwark.spring;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.bulwark.Resilience;
import dev.bulwark.circuitbreaker.CircuitBreaker;
import dev.bulwark.test.ManualClock;
import dev.bulwark.test.ManualScheduler;
import java.io.IOException;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import reactor.core.Disposable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

class ReactorAnnotationsTest {
  private static final Duration BOUND = Duration.ofSeconds(10);

  private final ApplicationContextRunner runner =
      new ApplicationContextRunner()
          .withConfiguration(AutoConfigurations.of(BulwarkAutoConfiguration.class))
          .withUserConfiguration(ManualTime.class)
          .withBean(Quotes.class)
          .withPropertyValues(
              "bulwark.circuit-breaker.configs.default.failure-threshold=2",
              "bulwark.retry.configs.default.max-attempts=3",
              "bulwark.bulkhead.instances.single.max-concurrent-calls=1");

  @Test
  void aMonoRunsNothingUntilItIsSubscribedAndThenOnceThroughThePolicies() {
    runner.run(
        context -> {
          Quotes quotes = context.getBean(Quotes.class);
          Mono<String> quote = quotes.quote("ACME");
          assertThat(quotes.calls()).isZero();

          assertThat(quote.block(BOUND)).isEqualTo("ACME 42");
          assertThat(quote.block(BOUND)).isEqualTo("ACME 42");
          assertThat(quotes.calls()).isEqualTo(2);
        });
  }

  @Test
  void aFailingMonoOpensTheBreakerAndTheFallbackMonoAnswers() {
    runner.run(
        context -> {
          Quotes quotes = context.getBean(Quotes.class);
          quotes.fail(Integer.MAX_VALUE);

          assertThat(quotes.quote("a").block(BOUND)).isEqualTo("stale a: IOException");
          assertThat(quotes.quote("b").block(BOUND)).isEqualTo("stale b: IOException");
          assertThat(quotes.quote("c").block(BOUND))
              .isEqualTo("stale c: CircuitBreakerOpenException");

          assertThat(quotes.calls()).isEqualTo(2);
          assertThat(context.getBean(Resilience.class).circuitBreaker("quotes").state())
              .isEqualTo(CircuitBreaker.State.OPEN);
        });
  }

  @Test
  void aMonoWithoutFallbackFailsWithTheCallsOwnExceptionUnwrapped() {
    runner.run(
        context -> {
          Quotes quotes = context.getBean(Quotes.class);
          quotes.fail(Integer.MAX_VALUE);

          assertThatThrownBy(() -> quotes.unguardedFallback("a").block(BOUND))
              .hasCauseExactlyInstanceOf(IOException.class); // block() wraps checked exceptions
          CompletableFuture<String> failed = quotes.unguardedFallback("b").toFuture();
          assertThat(failed)
              .failsWithin(BOUND)
              .withThrowableOfType(java.util.concurrent.ExecutionException.class)
              .withCauseExactlyInstanceOf(IOException.class);
        });
  }

  @Test
  void eachRetryAttemptCallsTheMethodAgainAndSubscribesToItsNewMono() {
    runner.run(
        context -> {
          Quotes quotes = context.getBean(Quotes.class);
          ManualScheduler scheduler = context.getBean(ManualScheduler.class);
          quotes.fail(2);

          CompletableFuture<String> quote = quotes.retried("ACME").toFuture();
          while (!quote.isDone() && scheduler.pendingTasks() > 0) {
            scheduler.runAll();
          }

          assertThat(quote).succeedsWithin(BOUND).isEqualTo("ACME 42");
          assertThat(quotes.calls()).isEqualTo(3);
          assertThat(quotes.subscriptions()).isEqualTo(3);
        });
  }

  @Test
  void cancellingTheSubscriptionCancelsTheRunningAttemptAndFreesItsPermit() {
    runner.run(
        context -> {
          Quotes quotes = context.getBean(Quotes.class);
          CountDownLatch cancelled = new CountDownLatch(1);

          Disposable first = quotes.hanging(cancelled).subscribe();
          assertThat(quotes.calls()).isEqualTo(1);
          first.dispose();

          assertThat(cancelled.await(BOUND.toMillis(), TimeUnit.MILLISECONDS)).isTrue();
          // the bulkhead of one holds no permit for the cancelled call any more
          assertThat(quotes.single("after").block(BOUND)).isEqualTo("after");
        });
  }

  @Test
  void aFluxIsGuardedWholeItsElementsEmittedOnceItCompleted() {
    runner.run(
        context -> {
          Quotes quotes = context.getBean(Quotes.class);
          Flux<String> prices = quotes.prices("ACME");
          assertThat(quotes.calls()).isZero();

          assertThat(prices.collectList().block(BOUND)).containsExactly("ACME 41", "ACME 42");
          assertThat(quotes.calls()).isEqualTo(1);
        });
  }

  @Test
  void aFluxFailingMidStreamEmitsOnlyTheFallbacksElementsAndCountsOneFailure() {
    runner.run(
        context -> {
          Quotes quotes = context.getBean(Quotes.class);
          quotes.fail(Integer.MAX_VALUE);

          assertThat(quotes.prices("a").collectList().block(BOUND)).containsExactly("a cached");
          assertThat(quotes.prices("b").collectList().block(BOUND)).containsExactly("b cached");
          assertThat(quotes.prices("c").collectList().block(BOUND)).containsExactly("c cached");

          assertThat(quotes.calls()).isEqualTo(2);
          assertThat(context.getBean(Resilience.class).circuitBreaker("prices").state())
              .isEqualTo(CircuitBreaker.State.OPEN);
        });
  }

  @Configuration(proxyBeanMethods = false)
  static class ManualTime {
    @Bean
    ManualScheduler manualScheduler() {
      return new ManualScheduler(ManualClock.create());
    }

    @Bean
    ResilienceCustomizer manualTime(ManualScheduler scheduler) {
      return builder -> builder.clock(scheduler.clock()).scheduler(scheduler);
    }
  }

  static class Quotes {
    final AtomicInteger calls = new AtomicInteger();
    final AtomicInteger subscriptions = new AtomicInteger();
    final AtomicInteger failures = new AtomicInteger();

    // a test reaches the bean through its proxy: by methods, never fields
    void fail(int times) {
      failures.set(times);
    }

    int calls() {
      return calls.get();
    }

    int subscriptions() {
      return subscriptions.get();
    }

    private Mono<String> answer(String symbol) {
      calls.incrementAndGet();
      return Mono.defer(
          () -> {
            subscriptions.incrementAndGet();
            return failures.getAndDecrement() > 0
                ? Mono.error(new IOException("down"))
                : Mono.just(symbol + " 42");
          });
    }

    @dev.bulwark.spring.annotation.CircuitBreaker(name = "quotes", fallbackMethod = "stale")
    public Mono<String> quote(String symbol) {
      return answer(symbol);
    }

    Mono<String> stale(String symbol, Throwable failure) {
      return Mono.just("stale " + symbol + ": " + failure.getClass().getSimpleName());
    }

    @dev.bulwark.spring.annotation.CircuitBreaker(name = "plain")
    public Mono<String> unguardedFallback(String symbol) {
      return answer(symbol);
    }

    @dev.bulwark.spring.annotation.Retry(name = "quotes")
    public Mono<String> retried(String symbol) {
      return answer(symbol);
    }

    @dev.bulwark.spring.annotation.Bulkhead(name = "single")
    public Mono<String> hanging(CountDownLatch cancelled) {
      calls.incrementAndGet();
      return Mono.<String>never().doOnCancel(cancelled::countDown);
    }

    @dev.bulwark.spring.annotation.Bulkhead(name = "single")
    public Mono<String> single(String value) {
      return Mono.just(value);
    }

    @dev.bulwark.spring.annotation.CircuitBreaker(name = "prices", fallbackMethod = "cachedPrices")
    public Flux<String> prices(String symbol) {
      calls.incrementAndGet();
      Flux<String> head = Flux.just(symbol + " 41");
      return failures.get() > 0
          ? head.concatWith(Mono.error(new IOException("down")))
          : head.concatWith(Mono.just(symbol + " 42"));
    }

    Flux<String> cachedPrices(String symbol, Throwable failure) {
      return Flux.just(symbol + " cached");
    }
  }
}
