package dev.bulwark.demo;

import static org.assertj.core.api.Assertions.assertThat;

import dev.bulwark.demo.FlakyHttpService.Outcome;
import dev.bulwark.test.ManualClock;
import dev.bulwark.test.ManualScheduler;
import java.io.IOException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The flaky service over real loopback HTTP. Its phase is chosen by moving the start of its script
 * on a manual clock, its draws are fixed by the test, and its stalls go through a manual scheduler
 * that records them and moves the clock instead of blocking.
 */
class FlakyHttpServiceTest {
  private static final Timeline TIMELINE = Timeline.standard();
  private static final int DEGRADED = 1;
  private static final int RATE_LIMITED = 2;
  private static final int OUTAGE = 3;
  private static final int RECOVERED = 4;

  private final ManualClock clock = ManualClock.nearOverflow();
  private final ManualScheduler stalls = new ManualScheduler(clock);
  private final AtomicReference<Double> draw = new AtomicReference<>(0.5);
  private final HttpClient http =
      HttpClient.newBuilder()
          .version(HttpClient.Version.HTTP_1_1)
          .connectTimeout(Duration.ofSeconds(5))
          .build();
  private FlakyHttpService service;

  @BeforeEach
  void start() throws IOException {
    service = FlakyHttpService.start("test", TIMELINE, clock, stalls, draw::get);
  }

  @AfterEach
  void stop() {
    service.close();
    Closing.close(http);
  }

  private void in(int phase) {
    service.scriptFrom(clock.nanoTime() - TIMELINE.phases().get(phase).start().toNanos());
  }

  private HttpResponse<String> get(String path) throws Exception {
    return send(HttpRequest.newBuilder(service.uri().resolve(path)));
  }

  private HttpResponse<String> send(HttpRequest.Builder request) throws Exception {
    return http.send(
        request.timeout(Duration.ofSeconds(5)).build(), HttpResponse.BodyHandlers.ofString());
  }

  @Test
  void answersTheStockOfAnItemAsJsonWhenHealthy() throws Exception {
    HttpResponse<String> response = get("stock/sku-3");

    assertThat(service.uri().toString()).startsWith("http://127.0.0.1:");
    assertThat(response.statusCode()).isEqualTo(200);
    assertThat(response.headers().firstValue("Content-Type")).contains("application/json");
    assertThat(response.body())
        .startsWith("{\"sku\":\"sku-3\",\"units\":")
        .endsWith(",\"request\":1}");
    assertThat(stalls.sleeps()).containsExactly(Duration.ofMillis(5));
  }

  @Test
  void answers500Or503WithoutRetryAfterWhenTheDrawFallsInTheErrorShare() throws Exception {
    in(DEGRADED);
    draw.set(0.19); // degraded: [0, 0.2) errors

    HttpResponse<String> first = get("stock/a");
    HttpResponse<String> second = get("stock/a");

    assertThat(List.of(first.statusCode(), second.statusCode())).containsExactly(500, 503);
    assertThat(second.headers().firstValue("Retry-After")).isEmpty();
    assertThat(second.body()).contains("degraded");
    assertThat(service.counts().errors()).isEqualTo(2);
  }

  @Test
  void answersOnlyAfterAStallLongerThanTheAttemptTimeoutWhenTheDrawFallsInTheSlowShare()
      throws Exception {
    in(DEGRADED);
    draw.set(0.25); // degraded: [0.2, 0.3) slow

    HttpResponse<String> response = get("stock/a");

    assertThat(response.statusCode()).isEqualTo(200);
    assertThat(stalls.sleeps()).containsExactly(Duration.ofMillis(1500));
    assertThat(TIMELINE.phases().get(DEGRADED).slowLatency())
        .isEqualTo(Duration.ofMillis(1500))
        .isGreaterThan(Protection.ATTEMPT_TIMEOUT); // so the clients cut every stalled answer
    assertThat(service.counts().slow()).isEqualTo(1);
  }

  @Test
  void answersQuicklyWhenDegradedButTheDrawFallsAboveEveryFailureShare() throws Exception {
    in(DEGRADED);
    draw.set(0.31);

    assertThat(get("stock/a").statusCode()).isEqualTo(200);
    assertThat(stalls.sleeps()).containsExactly(Duration.ofMillis(5));
  }

  @Test
  void throttlesWith429AndRetryAfterInSecondsThenAsAnHttpDate() throws Exception {
    in(RATE_LIMITED);
    draw.set(0.34); // rate limited: [0, 0.35) throttled

    HttpResponse<String> first = get("stock/a");
    HttpResponse<String> second = get("stock/a");

    assertThat(first.statusCode()).isEqualTo(429);
    assertThat(first.headers().firstValue("Retry-After")).contains("1");
    assertThat(second.statusCode()).isEqualTo(429);
    Instant date =
        DateTimeFormatter.RFC_1123_DATE_TIME.parse(
            second.headers().firstValue("Retry-After").orElseThrow(), Instant::from);
    Duration ahead = Duration.between(clock.wallTime(), date);
    assertThat(ahead).isPositive().isLessThanOrEqualTo(Duration.ofSeconds(1));
    assertThat(service.counts().throttled()).isEqualTo(2);
    assertThat(stalls.sleeps()).isEmpty();
  }

  @Test
  void answers503WithoutRetryAfterToEveryRequestDuringTheOutage() throws Exception {
    in(OUTAGE);
    draw.set(0.999); // the luckiest draw still fails

    for (int i = 0; i < 3; i++) {
      HttpResponse<String> response = get("stock/a");
      assertThat(response.statusCode()).isEqualTo(503);
      assertThat(response.headers().firstValue("Retry-After")).isEmpty();
    }
    assertThat(service.counts().callsIn(OUTAGE)).isEqualTo(3);
  }

  @Test
  void answersAgainOnceRecovered() throws Exception {
    in(RECOVERED);
    draw.set(0.01); // recovered: [0, 0.01) errors

    assertThat(get("stock/a").statusCode()).isEqualTo(200);
  }

  @Test
  void countsEveryRequestThatReachesItPerPhase() throws Exception {
    get("stock/a");
    in(OUTAGE);
    get("stock/a");
    get("stock/b");
    clock.advance(Duration.ofSeconds(8)); // the outage ends 8 s after it starts
    get("stock/a");

    ServiceCounts counts = service.counts();
    assertThat(counts.callsPerPhase()).containsExactly(1L, 0L, 0L, 2L, 1L);
    assertThat(counts.calls()).isEqualTo(4);
    assertThat(counts.errors()).isEqualTo(2);
  }

  @Test
  void refusesOtherMethodsAndPathsWithoutCountingThem() throws Exception {
    HttpResponse<String> post =
        send(
            HttpRequest.newBuilder(service.uri().resolve("stock/a"))
                .POST(HttpRequest.BodyPublishers.ofString("{}")));
    HttpResponse<String> elsewhere = get("prices/a");
    HttpResponse<String> noItem = get("stock/");

    assertThat(post.statusCode()).isEqualTo(405);
    assertThat(post.headers().firstValue("Allow")).contains("GET");
    assertThat(elsewhere.statusCode()).isEqualTo(404);
    assertThat(noItem.statusCode()).isEqualTo(404);
    assertThat(service.counts().calls()).isZero();
  }

  @Test // draws sit off the bands' edges, where sums of shares are inexact in binary
  void splitsTheDrawIntoErrorSlowThrottledAndGoodBands() {
    Phase phase =
        new Phase("mixed", Duration.ZERO, 0.1, 0.2, 0.3, Duration.ZERO, Duration.ofSeconds(1));

    assertThat(FlakyHttpService.outcome(phase, 0.0)).isEqualTo(Outcome.ERROR);
    assertThat(FlakyHttpService.outcome(phase, 0.0999)).isEqualTo(Outcome.ERROR);
    assertThat(FlakyHttpService.outcome(phase, 0.1)).isEqualTo(Outcome.SLOW);
    assertThat(FlakyHttpService.outcome(phase, 0.2999)).isEqualTo(Outcome.SLOW);
    assertThat(FlakyHttpService.outcome(phase, 0.3001)).isEqualTo(Outcome.THROTTLED);
    assertThat(FlakyHttpService.outcome(phase, 0.5999)).isEqualTo(Outcome.THROTTLED);
    assertThat(FlakyHttpService.outcome(phase, 0.6001)).isEqualTo(Outcome.OK);
    assertThat(FlakyHttpService.outcome(phase, 0.9999)).isEqualTo(Outcome.OK);
    assertThat(FlakyHttpService.outcome(TIMELINE.phases().get(OUTAGE), 0.9999))
        .isEqualTo(Outcome.ERROR);
  }
}
