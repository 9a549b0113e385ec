package dev.bulwark.spring;

import static dev.bulwark.spring.PropertiesTest.rootFailure;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.bulwark.Resilience;
import dev.bulwark.circuitbreaker.CircuitBreaker;
import dev.bulwark.circuitbreaker.CircuitBreakerOpenException;
import dev.bulwark.retry.RetryExhaustedException;
import dev.bulwark.spring.annotation.Bulkhead;
import dev.bulwark.spring.annotation.RateLimiter;
import dev.bulwark.spring.annotation.Retry;
import dev.bulwark.spring.annotation.Timeout;
import dev.bulwark.test.ManualClock;
import dev.bulwark.test.ManualScheduler;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

class AnnotationsTest {
  private final ApplicationContextRunner runner =
      new ApplicationContextRunner()
          .withConfiguration(AutoConfigurations.of(BulwarkAutoConfiguration.class))
          .withUserConfiguration(ManualTime.class)
          .withPropertyValues(
              "bulwark.circuit-breaker.configs.default.failure-threshold=2",
              "bulwark.retry.configs.default.max-attempts=3");

  @Test
  void anOpenBreakerIsAnsweredByTheFallbackMethod() {
    runner
        .withBean(Payments.class)
        .run(
            context -> {
              Payments payments = context.getBean(Payments.class);
              payments.fail();

              assertThat(payments.charge("order-1", 100)).isEqualTo("queued order-1: IOException");
              assertThat(payments.charge("order-2", 100)).isEqualTo("queued order-2: IOException");
              assertThat(payments.charge("order-3", 100))
                  .isEqualTo("queued order-3: CircuitBreakerOpenException");

              assertThat(payments.calls()).isEqualTo(2);
              assertThat(context.getBean(Resilience.class).circuitBreaker("payments").state())
                  .isEqualTo(CircuitBreaker.State.OPEN);
            });
  }

  @Test
  void theFallbackWithTheNearestExceptionTypeAnswers() {
    runner
        .withBean(Payments.class)
        .run(
            context -> {
              Payments payments = context.getBean(Payments.class);
              payments.fail();
              assertThat(payments.refund("order-1")).isEqualTo("io: IOException");
              context.getBean(Resilience.class).forceOpen("refunds");
              assertThat(payments.refund("order-2")).isEqualTo("any: CircuitBreakerOpenException");
            });
  }

  @Test
  void aFailureNoFallbackTakesReachesTheCaller() {
    runner
        .withBean(Payments.class)
        .run(
            context -> {
              Payments payments = context.getBean(Payments.class);
              context.getBean(Resilience.class).forceOpen("lookups");
              assertThatThrownBy(() -> payments.lookup("x"))
                  .isInstanceOf(CircuitBreakerOpenException.class);
            });
  }

  @Test
  void anAsynchronousMethodRunsThroughThePoliciesAndItsFallback() {
    runner
        .withBean(Payments.class)
        .run(
            context -> {
              Payments payments = context.getBean(Payments.class);
              payments.fail();
              assertThat(payments.chargeAsync("a").toCompletableFuture().join())
                  .isEqualTo("later a: IOException");
              assertThat(payments.chargeAsync("b").toCompletableFuture().join())
                  .isEqualTo("later b: IOException");
              assertThat(payments.chargeAsync("c").toCompletableFuture().join())
                  .isEqualTo("later c: CircuitBreakerOpenException");
              assertThat(payments.calls()).isEqualTo(2);
            });
  }

  @Test
  void theOrderTheAnnotationsAreWrittenInDoesNotChangeTheOrderOfThePolicies() {
    runner
        .withBean(Ordered.class)
        .run(
            context -> {
              BulwarkAnnotationProcessor processor =
                  context.getBean(BulwarkAnnotationProcessor.class);
              GuardedMethod retryFirst =
                  processor.guard(Ordered.class.getDeclaredMethod("retryWrittenFirst"));
              GuardedMethod retryLast =
                  processor.guard(Ordered.class.getDeclaredMethod("retryWrittenLast"));
              List<?> expected =
                  List.of(
                      dev.bulwark.bulkhead.Bulkhead.KIND,
                      dev.bulwark.ratelimit.RateLimiter.KIND,
                      CircuitBreaker.KIND,
                      dev.bulwark.retry.Retry.KIND,
                      dev.bulwark.timeout.Timeout.KIND);
              assertThat(retryFirst.kinds()).isEqualTo(expected);
              assertThat(retryLast.kinds()).isEqualTo(expected);
            });
  }

  @Test
  void inBothOrdersTheBreakerCountsOneFailurePerCallNotOnePerAttempt() {
    runner
        .withBean(Ordered.class)
        .run(
            context -> {
              Ordered ordered = context.getBean(Ordered.class);
              Resilience resilience = context.getBean(Resilience.class);

              assertThatThrownBy(ordered::retryWrittenFirst)
                  .isInstanceOf(RetryExhaustedException.class);
              assertThatThrownBy(ordered::retryWrittenLast)
                  .isInstanceOf(RetryExhaustedException.class);

              // three attempts each, and the breaker (two failures in a row open it) saw one
              assertThat(ordered.first()).isEqualTo(3);
              assertThat(ordered.last()).isEqualTo(3);
              assertThat(resilience.circuitBreaker("first").state())
                  .isEqualTo(CircuitBreaker.State.CLOSED);
              assertThat(resilience.circuitBreaker("last").state())
                  .isEqualTo(CircuitBreaker.State.CLOSED);
            });
  }

  @Test
  void aMissingFallbackMethodFailsTheStartNamingTheBeanTheMethodAndTheSignature() {
    runner
        .withBean("paymentClient", MissingFallback.class)
        .run(
            context ->
                assertThat(rootFailure(context))
                    .hasMessage(
                        "bean 'paymentClient' (dev.bulwark.spring.AnnotationsTest$MissingFallback):"
                            + " method charge(String, int): @CircuitBreaker names fallbackMethod"
                            + " \"chargeLater\", but MissingFallback has no method of that name;"
                            + " expected String chargeLater(String, int, Throwable) (the Throwable"
                            + " may be any subtype, or left out; the return type may be a"
                            + " subtype)"));
  }

  @Test
  void aFallbackMethodOfTheWrongSignatureFailsTheStartSayingWhatWasFound() {
    runner
        .withBean("paymentClient", WrongFallback.class)
        .run(
            context ->
                assertThat(rootFailure(context))
                    .hasMessageContaining("bean 'paymentClient'")
                    .hasMessageContaining("method charge(String, int)")
                    .hasMessageContaining(
                        "has only Integer chargeLater(String, int, Throwable), which do not fit;"
                            + " expected String chargeLater(String, int, Throwable)"));
  }

  @Test
  void twoAnnotationsNamingDifferentFallbacksFailTheStart() {
    runner
        .withBean("paymentClient", TwoFallbacks.class)
        .run(
            context ->
                assertThat(rootFailure(context))
                    .hasMessageContaining("method charge()")
                    .hasMessageContaining("one method has one fallback"));
  }

  @Configuration(proxyBeanMethods = false)
  static class ManualTime {
    @Bean
    ResilienceCustomizer manualTime() {
      ManualClock clock = ManualClock.create();
      return builder -> builder.clock(clock).scheduler(new ManualScheduler(clock));
    }
  }

  static class Payments {
    final AtomicInteger calls = new AtomicInteger();
    final java.util.concurrent.atomic.AtomicBoolean failing =
        new java.util.concurrent.atomic.AtomicBoolean();

    // a test reaches the bean through its proxy: by methods, never fields
    void fail() {
      failing.set(true);
    }

    int calls() {
      return calls.get();
    }

    @dev.bulwark.spring.annotation.CircuitBreaker(name = "payments", fallbackMethod = "queue")
    public String charge(String order, int cents) {
      calls.incrementAndGet();
      if (failing.get()) {
        throw new UncheckedIOException(new IOException("down"));
      }
      return "charged " + order;
    }

    String queue(String order, int cents, Throwable failure) {
      Throwable shown = failure instanceof UncheckedIOException ? failure.getCause() : failure;
      return "queued " + order + ": " + shown.getClass().getSimpleName();
    }

    @dev.bulwark.spring.annotation.CircuitBreaker(name = "refunds", fallbackMethod = "refundLater")
    public String refund(String order) throws IOException {
      if (failing.get()) {
        throw new IOException("down");
      }
      return "refunded " + order;
    }

    String refundLater(String order, IOException failure) {
      return "io: " + failure.getClass().getSimpleName();
    }

    String refundLater(String order, Exception failure) {
      return "any: " + failure.getClass().getSimpleName();
    }

    @dev.bulwark.spring.annotation.CircuitBreaker(name = "lookups", fallbackMethod = "cached")
    public String lookup(String key) {
      return key;
    }

    String cached(String key, IOException onlyThis) {
      return "cached";
    }

    @dev.bulwark.spring.annotation.CircuitBreaker(name = "payments-async", fallbackMethod = "later")
    public CompletionStage<String> chargeAsync(String order) {
      calls.incrementAndGet();
      return failing.get()
          ? CompletableFuture.failedFuture(new IOException("down"))
          : CompletableFuture.completedFuture("charged " + order);
    }

    CompletionStage<String> later(String order, Throwable failure) {
      return CompletableFuture.completedFuture(
          "later " + order + ": " + failure.getClass().getSimpleName());
    }
  }

  static class Ordered {
    final AtomicInteger first = new AtomicInteger();
    final AtomicInteger last = new AtomicInteger();

    int first() {
      return first.get();
    }

    int last() {
      return last.get();
    }

    @Retry(name = "first")
    @Timeout(name = "first")
    @dev.bulwark.spring.annotation.CircuitBreaker(name = "first")
    @RateLimiter(name = "first")
    @Bulkhead(name = "first")
    public String retryWrittenFirst() {
      first.incrementAndGet();
      throw new UncheckedIOException(new IOException("down"));
    }

    @Bulkhead(name = "last")
    @RateLimiter(name = "last")
    @dev.bulwark.spring.annotation.CircuitBreaker(name = "last")
    @Timeout(name = "last")
    @Retry(name = "last")
    public String retryWrittenLast() {
      last.incrementAndGet();
      throw new UncheckedIOException(new IOException("down"));
    }
  }

  static class MissingFallback {
    @dev.bulwark.spring.annotation.CircuitBreaker(name = "payments", fallbackMethod = "chargeLater")
    public String charge(String order, int cents) {
      return order;
    }
  }

  static class WrongFallback {
    @dev.bulwark.spring.annotation.CircuitBreaker(name = "payments", fallbackMethod = "chargeLater")
    public String charge(String order, int cents) {
      return order;
    }

    Integer chargeLater(String order, int cents, Throwable failure) {
      return 0;
    }
  }

  static class TwoFallbacks {
    @dev.bulwark.spring.annotation.CircuitBreaker(name = "a", fallbackMethod = "one")
    @Retry(name = "a", fallbackMethod = "two")
    public String charge() {
      return "";
    }

    String one() {
      return "";
    }

    String two() {
      return "";
    }
  }
}
