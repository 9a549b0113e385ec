package dev.bulwark.demo;

import static org.assertj.core.api.Assertions.assertThat;

import dev.bulwark.test.ManualClock;
import dev.bulwark.time.Scheduler;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The unprotected client against the real flaky service on loopback: only a 200 is an answer. A
 * stalled answer is held by the test until the client's own (JDK) request timeout, kept short here,
 * has given up on it; each test first warms the JDK client up with an uncounted request.
 */
class DirectClientTest {
  private static final Timeline TIMELINE = Timeline.standard();

  private final ManualClock clock = ManualClock.nearOverflow();
  private final CountDownLatch released = new CountDownLatch(1);
  private final AtomicReference<Double> draw = new AtomicReference<>(0.5);
  private final HttpClient http = Protection.plainHttpClient();
  private FlakyHttpService service;
  private DirectClient client;

  /** Short latencies pass at once; a stall holds its handler until the test ends. */
  private final Scheduler stalls =
      new Scheduler() {
        @Override
        public Future<?> schedule(Runnable task, long delayNanos) {
          throw new UnsupportedOperationException("the service only sleeps");
        }

        @Override
        public void sleep(long delayNanos) throws InterruptedException {
          if (delayNanos >= Duration.ofSeconds(1).toNanos()) {
            released.await(10, TimeUnit.SECONDS);
          }
        }
      };

  @BeforeEach
  void start() throws Exception {
    service = FlakyHttpService.start("test", TIMELINE, clock, stalls, draw::get);
    client = new DirectClient(http, service.uri(), Duration.ofMillis(300));
    // a cold JDK client can take longer than that short timeout for its first request
    http.send(
        HttpRequest.newBuilder(service.uri().resolve("stock/warm"))
            .header(FlakyHttpService.WARM_UP, "true")
            .timeout(Duration.ofSeconds(10))
            .build(),
        HttpResponse.BodyHandlers.discarding());
  }

  @AfterEach
  void stop() {
    released.countDown();
    service.close();
    Closing.close(http);
  }

  private void in(int phase) {
    service.scriptFrom(clock.nanoTime() - TIMELINE.phases().get(phase).start().toNanos());
  }

  @Test
  void answersFreshOnlyWhenTheServiceAnswers200() {
    assertThat(client.fetch("sku-1")).isEqualTo(Answer.FRESH);
    in(1); // degraded
    draw.set(0.1);
    assertThat(client.fetch("sku-1")).isEqualTo(Answer.FAILED); // a 500
    in(2); // rate limited
    assertThat(client.fetch("sku-1")).isEqualTo(Answer.FAILED); // a 429, its Retry-After unheeded
    in(3); // outage
    assertThat(client.fetch("sku-1")).isEqualTo(Answer.FAILED); // a 503
    assertThat(service.counts().calls()).isEqualTo(4);
    assertThat(client.counts()).isEqualTo(new ClientCounts(0, -1, -1));
  }

  @Test
  void countsARequestThatOutlivedItsTimeoutAsCut() {
    in(1); // degraded
    draw.set(0.25); // a stall

    assertThat(client.fetch("sku-1")).isEqualTo(Answer.FAILED);
    assertThat(client.counts().cut()).isEqualTo(1);
    assertThat(service.counts().slow()).isEqualTo(1);
  }
}
