package dev.bulwark.demo;

import static org.assertj.core.api.Assertions.assertThat;

import dev.bulwark.test.ManualClock;
import dev.bulwark.time.Scheduler;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

class CountingHttpClientTest {
  private static final long SECOND = Duration.ofSeconds(1).toNanos();

  private final ManualClock clock = ManualClock.nearOverflow();
  private final CountDownLatch released = new CountDownLatch(1);

  /** Short latencies pass at once; a stall holds its handler until the test releases it. */
  private final Scheduler stalls =
      new Scheduler() {
        @Override
        public Future<?> schedule(Runnable task, long delayNanos) {
          throw new UnsupportedOperationException("the service only sleeps");
        }

        @Override
        public void sleep(long delayNanos) throws InterruptedException {
          if (delayNanos >= SECOND) {
            released.await(10, TimeUnit.SECONDS);
          }
        }
      };

  @Test
  void countsAnAttemptCancelledBeforeItCompletedAsCutAndACompletedOneAsNot() throws Exception {
    CountingHttpClient client = new CountingHttpClient(Protection.plainHttpClient());
    AtomicReference<Double> draw = new AtomicReference<>(0.5);
    try (FlakyHttpService service =
        FlakyHttpService.start("test", Timeline.standard(), clock, stalls, draw::get)) {
      HttpRequest request =
          HttpRequest.newBuilder(service.uri().resolve("stock/a"))
              .timeout(Duration.ofSeconds(10))
              .build();

      CompletableFuture<HttpResponse<String>> answered =
          client.sendAsync(request, HttpResponse.BodyHandlers.ofString());
      assertThat(answered.get(10, TimeUnit.SECONDS).statusCode()).isEqualTo(200);
      service.scriptFrom(clock.nanoTime() - Duration.ofSeconds(4).toNanos()); // degraded
      draw.set(0.25); // a stall
      CompletableFuture<HttpResponse<String>> stalled =
          client.sendAsync(request, HttpResponse.BodyHandlers.ofString());
      stalled.cancel(true); // as the retry does to an attempt that outlived its timeout

      assertThat(stalled).isCompletedExceptionally(); // cancelled, or failed with a cancellation
      assertThat(client.sent()).isEqualTo(2);
      assertThat(client.cancelled()).isEqualTo(1);
    } finally {
      released.countDown();
      Closing.close(client.delegate());
    }
  }
}
