package dev.bulwark.hedge;

import static java.util.concurrent.TimeUnit.SECONDS;
import static org.assertj.core.api.Assertions.assertThat;

import dev.bulwark.test.ManualClock;
import dev.bulwark.test.ManualScheduler;
import java.io.IOException;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Two attempts of one call ending at the same moment on two threads, a few thousand times: the call
 * completes once, with one of them, and its outcome is counted once.
 */
class HedgeRaceTest {
  private static final int ROUNDS = 3_000;
  private static final Duration DELAY = Duration.ofMillis(1);

  private final ManualClock clock = ManualClock.nearOverflow();
  private final ManualScheduler scheduler = new ManualScheduler(clock);
  private final ExecutorService threads = Executors.newFixedThreadPool(2);
  private final Hedge hedge =
      Hedge.of(
          "race", HedgeConfig.builder().delay(DELAY).maxExtraLoad(10).build(), clock, scheduler);

  @AfterEach
  void stopThreads() {
    threads.shutdownNow();
  }

  @Test
  void twoAttemptsSucceedingAtOnceCompleteTheCallOnceAndCountItOnce() throws Exception {
    int hedgeWins = 0;
    for (int round = 1; round <= ROUNDS; round++) {
      Attempts<String> attempts = new Attempts<>();
      CompletableFuture<String> result = hedge.callAsync(attempts).toCompletableFuture();
      scheduler.advance(DELAY);
      CompletableFuture<String> primary = attempts.attempt(0);
      CompletableFuture<String> hedged = attempts.attempt(1);

      race(() -> primary.complete("primary"), () -> hedged.complete("hedge"));

      String value = result.get(10, SECONDS);
      CompletableFuture<String> winner = value.equals("primary") ? primary : hedged;
      CompletableFuture<String> loser = winner == primary ? hedged : primary;
      assertThat(winner).isCompletedWithValue(value);
      // the loser either finished too (its value dropped) or was cancelled by the winner
      assertThat(loser.isCancelled() || loser.getNow(null) != null).isTrue();
      hedgeWins += winner == hedged ? 1 : 0;
      Hedge.Statistics stats = hedge.statistics();
      assertThat(stats.successfulCalls()).isEqualTo(round);
      assertThat(stats.hedgesWon()).isEqualTo(hedgeWins);
      assertThat(stats.failedCalls() + stats.cancelledCalls()).isZero();
    }
    assertThat(hedge.statistics().hedgesStarted()).isEqualTo(ROUNDS);
  }

  @Test
  void twoAttemptsFailingAtOnceFailTheCallOnceWithOneAndTheOtherSuppressed() throws Exception {
    for (int round = 1; round <= ROUNDS; round++) {
      Attempts<String> attempts = new Attempts<>();
      CompletableFuture<String> result = hedge.callAsync(attempts).toCompletableFuture();
      scheduler.advance(DELAY);
      IOException first = new IOException("primary");
      IOException second = new IOException("hedge");

      race(
          () -> attempts.attempt(0).completeExceptionally(first),
          () -> attempts.attempt(1).completeExceptionally(second));

      assertThat(result).isCompletedExceptionally();
      Throwable failure = catchCause(result);
      assertThat(failure).isIn(first, second);
      assertThat(failure.getSuppressed()).containsExactly(failure == first ? second : first);
      assertThat(hedge.statistics().failedCalls()).isEqualTo(round);
      assertThat(hedge.statistics().successfulCalls() + hedge.statistics().cancelledCalls())
          .isZero();
    }
  }

  /** Runs both actions on two threads released at the same moment, and waits for both. */
  private void race(Runnable one, Runnable two) throws Exception {
    CountDownLatch go = new CountDownLatch(1);
    Future<?> a = threads.submit(() -> awaitThen(go, one));
    Future<?> b = threads.submit(() -> awaitThen(go, two));
    go.countDown();
    a.get(10, SECONDS);
    b.get(10, SECONDS);
  }

  private static Void awaitThen(CountDownLatch go, Runnable action) throws InterruptedException {
    assertThat(go.await(10, SECONDS)).isTrue();
    action.run();
    return null;
  }

  private static Throwable catchCause(CompletableFuture<?> result) {
    try {
      result.join();
      throw new AssertionError("expected a failure");
    } catch (CompletionException e) {
      return e.getCause();
    }
  }
}
