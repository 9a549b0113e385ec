package dev.bulwark.timeout;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.bulwark.time.Clock;
import dev.bulwark.time.Scheduler;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * On the real system scheduler and real threads: a caller's callback that blocks, chained on an
 * asynchronous call a timeout cut short, holds back no other deadline. The callback blocks until
 * the test has seen the other deadline fire, so with deadlines queued behind it (as they were, on
 * the scheduler's one thread) the test cannot pass: the other deadline would fire only once the
 * callback gave up, after {@link #GIVE_UP} seconds.
 */
class BlockingCallbackTest {
  private static final long GIVE_UP = 10;

  private final Clock clock = Clock.system();
  private final Timeout first =
      Timeout.of(
          "first",
          TimeoutConfig.builder().timeout(Duration.ofMillis(20)).build(),
          clock,
          Scheduler.system());
  private final Timeout unrelated =
      Timeout.of(
          "unrelated",
          TimeoutConfig.builder().timeout(Duration.ofMillis(100)).build(),
          clock,
          Scheduler.system());
  private final CountDownLatch blocking = new CountDownLatch(1);
  private final CountDownLatch release = new CountDownLatch(1);
  private final AtomicReference<String> callbackThread = new AtomicReference<>();
  private ExecutorService other;

  @BeforeEach
  void blockACallbackOnATimedOutCall() throws InterruptedException {
    first
        .callAsync(CompletableFuture<String>::new) // never completes: the timeout cuts it
        .whenComplete(
            (value, failure) -> {
              callbackThread.set(Thread.currentThread().getName());
              blocking.countDown();
              try {
                release.await(GIVE_UP, TimeUnit.SECONDS);
              } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
              }
            });
    assertThat(blocking.await(GIVE_UP, TimeUnit.SECONDS)).as("the callback runs").isTrue();
    other = Executors.newSingleThreadExecutor();
  }

  @AfterEach
  void releaseTheCallback() {
    release.countDown();
    other.shutdownNow();
  }

  @Test
  void theCallbackDoesNotRunOnTheSchedulersThread() {
    assertThat(callbackThread.get()).startsWith("bulwark-completion-");
  }

  @Test
  void anUnrelatedSynchronousTimeoutFiresOnTimeWhileTheCallbackBlocks() throws Exception {
    long start = clock.nanoTime();
    Future<Throwable> outcome =
        other.submit(
            () -> {
              try {
                unrelated.call(
                    () -> {
                      new CountDownLatch(1).await(GIVE_UP, TimeUnit.SECONDS); // until interrupted
                      return "unreached";
                    });
                return null;
              } catch (Exception e) {
                return e;
              }
            });

    Throwable failure = outcome.get(GIVE_UP + 5, TimeUnit.SECONDS);
    long elapsedMillis = TimeUnit.NANOSECONDS.toMillis(clock.nanoTime() - start);

    assertThat(failure).isInstanceOf(TimeoutExceededException.class);
    assertThat(release.getCount()).as("the callback was still blocked").isEqualTo(1);
    assertThat(elapsedMillis).isLessThan(TimeUnit.SECONDS.toMillis(GIVE_UP) / 2);
  }

  @Test
  void anUnrelatedAsynchronousTimeoutCompletesWhileTheCallbackBlocks() throws Exception {
    CompletableFuture<String> result =
        unrelated.callAsync(CompletableFuture<String>::new).toCompletableFuture();

    assertThatThrownBy(() -> result.get(GIVE_UP / 2, TimeUnit.SECONDS))
        .isInstanceOf(ExecutionException.class)
        .hasCauseInstanceOf(TimeoutExceededException.class);
    assertThat(release.getCount()).as("the callback was still blocked").isEqualTo(1);
  }
}
