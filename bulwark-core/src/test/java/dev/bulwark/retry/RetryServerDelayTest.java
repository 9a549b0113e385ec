package dev.bulwark.retry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowable;

import dev.bulwark.event.PolicyEvent;
import dev.bulwark.event.RetriesExhausted;
import dev.bulwark.event.RetryScheduled;
import dev.bulwark.ratelimit.ServerBusyException;
import dev.bulwark.test.CallMode;
import dev.bulwark.test.ManualClock;
import dev.bulwark.test.ManualScheduler;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class RetryServerDelayTest {
  private static final Backoff EXPONENTIAL =
      Backoff.exponential(Duration.ofMillis(100), 2.0, Duration.ofSeconds(10));

  private final ManualClock clock = ManualClock.nearOverflow(); // nano time wraps mid-test
  private final ManualScheduler scheduler = new ManualScheduler(clock);

  /** An HTTP response as a result: 429 with Retry-After, or 200. */
  record Response(int status, Optional<Duration> retryAfter) {}

  private Retry retry(RetryConfig.Builder config) {
    return Retry.of("api", config.build(), clock, scheduler);
  }

  private static RetryConfig.Builder config() {
    return RetryConfig.builder().backoff(EXPONENTIAL);
  }

  private static RetryConfig.Builder forResponses() {
    return config()
        .retryOnResult(r -> r instanceof Response res && res.status() == 429)
        .serverDelay(r -> ((Response) r).retryAfter()); // asked only of retried results
  }

  private static ServerBusyException busy(Duration retryAfter) {
    return new ServerBusyException("api.example.com", 429, retryAfter);
  }

  /** The waits between attempts: slept on the caller's thread, or scheduled when async. */
  private List<Duration> waits(List<PolicyEvent> events) {
    return events.stream()
        .filter(RetryScheduled.class::isInstance)
        .map(e -> ((RetryScheduled) e).delay())
        .toList();
  }

  @ParameterizedTest
  @EnumSource(CallMode.class)
  void waitsExactlyTheServersRetryAfterInsteadOfTheBackoff(CallMode mode) throws Exception {
    Retry retry = retry(config());
    List<PolicyEvent> events = new CopyOnWriteArrayList<>();
    retry.events().subscribe(events::add);

    Object value = mode.call(retry, scheduler, Script.of(busy(Duration.ofSeconds(2)), "ok"));

    assertThat(value).isEqualTo("ok");
    assertThat(clock.elapsed()).isEqualTo(Duration.ofSeconds(2));
    assertThat(waits(events)).containsExactly(Duration.ofSeconds(2));
    if (mode != CallMode.ASYNC) {
      assertThat(scheduler.sleeps()).containsExactly(Duration.ofSeconds(2));
    }
  }

  @ParameterizedTest
  @EnumSource(CallMode.class)
  void aShorterServerDelayAlsoReplacesTheBackoff(CallMode mode) throws Exception {
    Retry retry = retry(config().backoff(Backoff.fixed(Duration.ofSeconds(5))));

    mode.call(retry, scheduler, Script.of(busy(Duration.ofMillis(50)), "ok"));

    assertThat(clock.elapsed()).isEqualTo(Duration.ofMillis(50));
  }

  @ParameterizedTest
  @EnumSource(CallMode.class)
  void findsTheServersDelayInTheCauseChain(CallMode mode) throws Exception {
    Retry retry = retry(config());
    IOException wrapped = new IOException("HTTP 503", busy(Duration.ofSeconds(3)));
    UncheckedIOException twice = new UncheckedIOException(wrapped);

    mode.call(retry, scheduler, Script.of(twice, "ok"));

    assertThat(clock.elapsed()).isEqualTo(Duration.ofSeconds(3));
  }

  @ParameterizedTest
  @EnumSource(CallMode.class)
  void looksOnlyEightCausesDeep(CallMode mode) throws Exception {
    Retry retry = retry(config());
    Exception deep = busy(Duration.ofSeconds(3));
    for (int i = 0; i < 9; i++) {
      deep = new IOException("layer " + i, deep);
    }

    mode.call(retry, scheduler, Script.of(deep, "ok"));

    assertThat(clock.elapsed()).isEqualTo(Duration.ofMillis(100)); // the backoff
  }

  @ParameterizedTest
  @EnumSource(CallMode.class)
  void capsTheServersDelayAtMaxServerDelay(CallMode mode) throws Exception {
    Retry retry = retry(config().maxServerDelay(Duration.ofSeconds(5)));

    mode.call(retry, scheduler, Script.of(busy(Duration.ofMinutes(10)), "ok"));
    assertThat(clock.elapsed()).isEqualTo(Duration.ofSeconds(5));

    Retry byDefault = retry(config());
    mode.call(byDefault, scheduler, Script.of(busy(Duration.ofDays(1)), "ok"));
    assertThat(clock.elapsed()).isEqualTo(Duration.ofSeconds(5 + 300));
  }

  @ParameterizedTest
  @EnumSource(CallMode.class)
  void withoutRespectServerDelayTheBackoffIsUsed(CallMode mode) throws Exception {
    Retry retry = retry(forResponses().respectServerDelay(false));

    mode.call(retry, scheduler, Script.of(busy(Duration.ofSeconds(2)), "ok"));
    assertThat(clock.elapsed()).isEqualTo(Duration.ofMillis(100));

    Response tooMany = new Response(429, Optional.of(Duration.ofSeconds(7)));
    mode.call(retry, scheduler, Script.of(tooMany, new Response(200, Optional.empty())));
    assertThat(clock.elapsed()).isEqualTo(Duration.ofMillis(200));
  }

  @ParameterizedTest
  @EnumSource(CallMode.class)
  void aRetriedResultCanCarryTheServersDelay(CallMode mode) throws Exception {
    Retry retry = retry(forResponses());
    Response ok = new Response(200, Optional.empty());

    Object first =
        mode.call(
            retry, scheduler, Script.of(new Response(429, Optional.of(Duration.ofSeconds(7))), ok));
    assertThat(first).isEqualTo(ok);
    assertThat(clock.elapsed()).isEqualTo(Duration.ofSeconds(7));

    Object second = mode.call(retry, scheduler, Script.of(new Response(429, Optional.empty()), ok));
    assertThat(second).isEqualTo(ok);
    assertThat(clock.elapsed()).isEqualTo(Duration.ofMillis(7_100)); // no delay said: backoff
  }

  @ParameterizedTest
  @EnumSource(CallMode.class)
  void aNegativeOrMissingResultDelayLeavesTheBackoff(CallMode mode) throws Exception {
    Retry retry =
        retry(
            config()
                .retryOnResult(r -> r.equals(429))
                .serverDelay(
                    r -> clock.elapsed().isZero() ? null : Optional.of(Duration.ofDays(-1))));

    mode.call(retry, scheduler, Script.of(429, 429, 200));

    assertThat(clock.elapsed()).isEqualTo(Duration.ofMillis(300));
  }

  @ParameterizedTest
  @EnumSource(CallMode.class)
  void aServerDelayBeyondMaxDurationStopsAtOnceWithoutWaiting(CallMode mode) {
    Retry retry = retry(config().maxAttempts(5).maxDuration(Duration.ofSeconds(10)));
    List<PolicyEvent> events = new CopyOnWriteArrayList<>();
    retry.events().subscribe(events::add);
    ServerBusyException busy = busy(Duration.ofSeconds(30));
    Script script = Script.of(busy, "unreached");

    assertThatThrownBy(() -> mode.call(retry, scheduler, script)).isSameAs(busy);

    assertThat(script.calls()).isEqualTo(1);
    assertThat(clock.elapsed()).isZero();
    assertThat(scheduler.sleeps()).isEmpty();
    assertThat(scheduler.pendingTasks()).isZero();
    assertThat(events.get(0)).isInstanceOf(RetriesExhausted.class);
  }

  @ParameterizedTest
  @EnumSource(CallMode.class)
  void aServerDelayBeyondWhatIsLeftOfMaxDurationEndsTheRetriesExhausted(CallMode mode) {
    Retry retry = retry(config().maxAttempts(5).maxDuration(Duration.ofSeconds(10)));
    ServerBusyException busy = busy(Duration.ofMillis(9_950)); // 100 ms + 9.95 s > 10 s
    Script script = Script.of(new IOException("reset"), busy, "unreached");

    Throwable thrown = catchThrowable(() -> mode.call(retry, scheduler, script));

    assertThat(thrown)
        .isInstanceOfSatisfying(
            RetryExhaustedException.class,
            e -> {
              assertThat(e.attempts()).isEqualTo(2);
              assertThat(e.budgetExhausted()).isFalse();
            })
        .hasCause(busy);
    assertThat(clock.elapsed()).isEqualTo(Duration.ofMillis(100));
  }

  @ParameterizedTest
  @EnumSource(CallMode.class)
  void anInnerRejectionsHintStillOnlyRaisesTheBackoff(CallMode mode) throws Exception {
    Retry retry = retry(config().respectServerDelay(false));

    mode.call(retry, scheduler, Script.of(new RetryTest.Refused(Duration.ofSeconds(2)), "ok"));

    assertThat(clock.elapsed()).isEqualTo(Duration.ofSeconds(2));
  }

  @ParameterizedTest
  @EnumSource(CallMode.class)
  void aServerDelayReaderThatThrowsFailsTheCall(CallMode mode) {
    IllegalStateException bug = new IllegalStateException("reader bug");
    Retry retry =
        retry(
            config()
                .retryOnResult(r -> true)
                .serverDelay(
                    r -> {
                      throw bug;
                    }));

    assertThatThrownBy(() -> mode.call(retry, scheduler, Script.of(429))).isSameAs(bug);
    assertThat(retry.statistics()).isEqualTo(new Retry.Statistics(0, 0, 1, 0, 1, 0));
  }
}
