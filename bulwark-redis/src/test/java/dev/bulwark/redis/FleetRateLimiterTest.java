package dev.bulwark.redis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.bulwark.event.PolicyEvent;
import dev.bulwark.ratelimit.RateLimitedException;
import dev.bulwark.ratelimit.RateLimiter;
import dev.bulwark.ratelimit.RateLimiterConfig;
import dev.bulwark.test.redis.RedisExtension;
import dev.bulwark.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** A rate limiter shared by a fleet through a real redis-server, and what it does without it. */
class FleetRateLimiterTest {
  @RegisterExtension static final RedisExtension redis = RedisExtension.server();

  private static final Clock SYSTEM = Clock.system();
  private static final Duration TIMEOUT = Duration.ofMillis(200);

  /** What a JVM on a loaded two-core machine may add to a bounded wait before the caller runs. */
  private static final long SLACK_NANOS = TimeUnit.MILLISECONDS.toNanos(150);

  private final List<RedisFleet> fleets = new ArrayList<>();
  private final ExecutorService threads = Executors.newCachedThreadPool();

  @AfterEach
  void closeEverything() throws InterruptedException {
    threads.shutdownNow();
    assertThat(threads.awaitTermination(10, TimeUnit.SECONDS)).isTrue();
    fleets.forEach(RedisFleet::close);
  }

  /** A fleet instance: its own Lettuce client, connected before it is returned. */
  private RedisFleet instance(Clock clock, int expectedInstances, FallbackMode mode) {
    return instance(clock, expectedInstances, mode, TIMEOUT);
  }

  private RedisFleet instance(
      Clock clock, int expectedInstances, FallbackMode mode, Duration timeout) {
    RedisFleet fleet =
        Fleets.connected(
            RedisFleet.builder(redis.redis().uri().toString())
                .commandTimeout(timeout)
                .expectedInstances(expectedInstances)
                .fallback(mode)
                .clock(clock));
    fleets.add(fleet);
    return fleet;
  }

  private static RateLimiterConfig perSecond(int limit, int burst) {
    return RateLimiterConfig.builder().limit(limit).burst(burst).build();
  }

  /** A clock {@code offset} away from the system's, both monotonic and wall time. */
  private static Clock skewed(Duration offset) {
    return new Clock() {
      @Override
      public long nanoTime() {
        return SYSTEM.nanoTime() + offset.toNanos();
      }

      @Override
      public Instant wallTime() {
        return SYSTEM.wallTime().plus(offset);
      }
    };
  }

  @Test
  void threeInstancesShareOneLimitFor5Seconds() throws Exception {
    // This test is about sharing, not timeouts: a generous command timeout keeps a loaded machine's
    // stall from sending an instance to its fallback (checked below).
    List<RateLimiter> limiters = new ArrayList<>();
    ConcurrentLinkedQueue<Seen> events = new ConcurrentLinkedQueue<>();
    for (int i = 0; i < 3; i++) {
      RateLimiter limiter =
          instance(SYSTEM, 3, FallbackMode.LOCAL_SHARE, Duration.ofSeconds(5))
              .rateLimiter("partner", perSecond(100, 100));
      limiter.events().subscribe(e -> record(e, events), Set.of(FleetEvent.class));
      limiters.add(limiter);
    }
    AtomicLong admitted = new AtomicLong();
    CountDownLatch go = new CountDownLatch(1);
    long runNanos = TimeUnit.SECONDS.toNanos(5);
    List<Future<?>> runs = new ArrayList<>();
    for (RateLimiter limiter : limiters) {
      runs.add(
          threads.submit(
              () -> {
                go.await();
                long end = SYSTEM.nanoTime() + runNanos;
                while (SYSTEM.nanoTime() - end < 0) {
                  if (limiter.tryAcquire()) {
                    admitted.incrementAndGet();
                  }
                  LockSupport.parkNanos(100_000); // a caller every 0.1 ms, not a hot spin
                }
                return null;
              }));
    }
    long start = SYSTEM.nanoTime();
    go.countDown();
    for (Future<?> run : runs) {
      run.get(30, TimeUnit.SECONDS);
    }
    double seconds = (SYSTEM.nanoTime() - start) / 1e9;

    assertThat(events).as("decided by Redis throughout").isEmpty();
    // at most the rate over the time the callers ran, plus one full bucket; at least 95% of 5 s
    assertThat(admitted.get()).isLessThanOrEqualTo((long) Math.floor(100 * seconds) + 100);
    assertThat(admitted.get()).isGreaterThanOrEqualTo(475);
  }

  @Test
  void instancesWhoseClocksAre5SecondsApartShareTheLimitExactly() {
    RateLimiterConfig tenPerMinute =
        RateLimiterConfig.builder().limit(10).period(Duration.ofMinutes(1)).build();
    List<RateLimiter> limiters =
        List.of(
            instance(skewed(Duration.ofSeconds(-5)), 3, FallbackMode.DENY_ALL)
                .rateLimiter("skewed", tenPerMinute),
            instance(SYSTEM, 3, FallbackMode.DENY_ALL).rateLimiter("skewed", tenPerMinute),
            instance(skewed(Duration.ofSeconds(5)), 3, FallbackMode.DENY_ALL)
                .rateLimiter("skewed", tenPerMinute));

    int admitted = 0;
    for (int round = 0; round < 10; round++) {
      for (RateLimiter limiter : limiters) {
        admitted += limiter.tryAcquire() ? 1 : 0;
      }
    }

    assertThat(admitted).isEqualTo(10);
    RateLimiter.Snapshot snapshot = limiters.get(2).snapshot();
    assertThat(snapshot.availablePermits()).isZero();
    assertThat(snapshot.timeUntilNextPermit())
        .isBetween(Duration.ofSeconds(5), Duration.ofSeconds(6));
  }

  @Test
  void theKeyExpiresOnceTheBucketIsFullAgain() {
    RateLimiter limiter =
        instance(SYSTEM, 1, FallbackMode.DENY_ALL).rateLimiter("expiring", perSecond(10, 10));

    assertThat(limiter.tryAcquire(3)).isTrue();

    Object ttl = redis.redis().command("PTTL", "bulwark:rl:{expiring}");
    assertThat((Long) ttl).isBetween(1L, 300L); // 3 permits at 10/s refill in 300 ms
  }

  @Test
  void aReservationSaysHowLongToWaitAndARequestBeyondMaxWaitIsRefused() throws Exception {
    RateLimiter limiter =
        instance(SYSTEM, 1, FallbackMode.DENY_ALL)
            .rateLimiter(
                "reserving",
                RateLimiterConfig.builder()
                    .limit(1)
                    .period(Duration.ofMinutes(1))
                    .maxWait(Duration.ofSeconds(90))
                    .build());

    assertThat(limiter.reserve(Duration.ZERO)).contains(Duration.ZERO);
    Optional<Duration> next = limiter.reserve(Duration.ofSeconds(90));
    assertThat(next)
        .hasValueSatisfying(
            wait -> assertThat(wait).isBetween(Duration.ofSeconds(59), Duration.ofSeconds(60)));
    assertThat(limiter.reserve(Duration.ofSeconds(90))).isEmpty(); // would wait 2 minutes
    assertThatThrownBy(() -> limiter.call(() -> "never"))
        .isInstanceOfSatisfying(
            RateLimitedException.class,
            e -> {
              assertThat(e.policyName()).isEqualTo("reserving");
              assertThat(e.retryAfterNanos()).isGreaterThan(Duration.ofSeconds(90).toNanos());
            });
    assertThat(limiter.snapshot().rejectedCalls()).isEqualTo(2);
  }

  @Test
  void eachAcquireIsOneCommandToRedis() {
    RateLimiter limiter =
        instance(SYSTEM, 1, FallbackMode.DENY_ALL).rateLimiter("counted", perSecond(1000, 1000));
    limiter.tryAcquire(); // loads the script
    redis.redis().command("CONFIG", "RESETSTAT");

    for (int i = 0; i < 100; i++) {
      limiter.tryAcquire();
    }

    String stats = String.valueOf(redis.redis().command("INFO", "commandstats"));
    assertThat(stats).contains("cmdstat_evalsha:calls=100,").doesNotContain("cmdstat_eval:");
  }

  @Test
  void aScriptCacheEmptiedByRedisIsLoadedAgainWithoutFallingBack() {
    GcraRateLimiter limiter =
        (GcraRateLimiter)
            instance(SYSTEM, 1, FallbackMode.DENY_ALL).rateLimiter("flushed", perSecond(10, 10));
    assertThat(limiter.tryAcquire()).isTrue();

    redis.redis().command("SCRIPT", "FLUSH");

    assertThat(limiter.tryAcquire()).isTrue();
    assertThat(limiter.onRedis()).isTrue();
  }

  @Test
  void redisKilledWhileInstancesRunFallsBackToLocalSharesThenComesBack() throws Exception {
    List<GcraRateLimiter> limiters = new ArrayList<>();
    ConcurrentLinkedQueue<Seen> events = new ConcurrentLinkedQueue<>();
    for (int i = 0; i < 3; i++) {
      GcraRateLimiter limiter =
          (GcraRateLimiter)
              instance(SYSTEM, 3, FallbackMode.LOCAL_SHARE).rateLimiter("outage", perSecond(90, 9));
      limiter.events().subscribe(e -> record(e, events), Set.of(FleetEvent.class));
      limiters.add(limiter);
    }
    AtomicLong admitted = new AtomicLong();
    ConcurrentLinkedQueue<Throwable> escaped = new ConcurrentLinkedQueue<>();
    AtomicBoolean running = new AtomicBoolean(true);
    List<Future<?>> runs = new ArrayList<>();
    for (RateLimiter limiter : limiters) {
      runs.add(
          threads.submit(
              () -> {
                while (running.get()) {
                  try {
                    if (limiter.tryAcquire()) {
                      admitted.incrementAndGet();
                    }
                  } catch (Throwable t) {
                    escaped.add(t);
                  }
                  LockSupport.parkNanos(200_000); // a caller every 0.2 ms, not a hot spin
                }
              }));
    }
    awaitAdmissions(admitted, 20);

    long before = admitted.get();
    long killed = SYSTEM.nanoTime();
    redis.redis().stop();
    long fellBack = awaitEvents(events, FleetEvent.Kind.FELL_BACK, 3, killed);
    long restartAsked = SYSTEM.nanoTime();
    redis.redis().restart();
    long restarted = SYSTEM.nanoTime();
    long during = admitted.get() - before;
    long recovered = awaitEvents(events, FleetEvent.Kind.RECOVERED, 3, restarted);
    running.set(false);
    for (Future<?> run : runs) {
      run.get(10, TimeUnit.SECONDS);
    }

    assertThat(escaped).isEmpty();
    assertThat(fellBack - killed)
        .as("fell back within one command timeout")
        .isLessThanOrEqualTo(TIMEOUT.toNanos() + SLACK_NANOS);
    assertThat(recovered - restarted)
        .as("back on Redis within 1 s")
        .isLessThanOrEqualTo(TimeUnit.SECONDS.toNanos(1));
    // each instance's share: 30/s with a burst of 3; three calls may be in flight at each end
    double outage = (restarted - killed) / 1e9;
    assertThat(during).isLessThanOrEqualTo(3 * ((long) Math.ceil(30 * outage) + 3) + 3);
    assertThat(limiters).allSatisfy(l -> assertThat(l.onRedis()).isTrue());
    assertThat(restartAsked).isPositive();
  }

  @Test
  void redisFrozenHoldsCallersUpForAtMostTheCommandTimeout() throws Exception {
    GcraRateLimiter limiter =
        (GcraRateLimiter)
            instance(SYSTEM, 1, FallbackMode.ALLOW_ALL)
                .rateLimiter("frozen", perSecond(1000, 1000));
    ConcurrentLinkedQueue<Seen> events = new ConcurrentLinkedQueue<>();
    limiter.events().subscribe(e -> record(e, events), Set.of(FleetEvent.class));
    assertThat(limiter.tryAcquire()).isTrue();

    redis.redis().freeze();
    List<CompletableFuture<Long>> callers = new ArrayList<>();
    for (int i = 0; i < 4; i++) {
      callers.add(
          CompletableFuture.supplyAsync(
              () -> {
                long start = SYSTEM.nanoTime();
                assertThat(limiter.tryAcquire()).isTrue(); // ALLOW_ALL once Redis does not answer
                return SYSTEM.nanoTime() - start;
              },
              threads));
    }
    for (CompletableFuture<Long> caller : callers) {
      assertThat(caller.get(5, TimeUnit.SECONDS))
          .isLessThanOrEqualTo(TIMEOUT.toNanos() + SLACK_NANOS);
    }
    assertThat(limiter.onRedis()).isFalse();
    long start = SYSTEM.nanoTime();
    assertThat(limiter.tryAcquire()).isTrue();
    assertThat(SYSTEM.nanoTime() - start).as("decided locally, at once").isLessThan(SLACK_NANOS);

    long thawed = SYSTEM.nanoTime();
    redis.redis().unfreeze();
    awaitEvents(events, FleetEvent.Kind.RECOVERED, 1, thawed);
    assertThat(limiter.onRedis()).isTrue();
  }

  @Test
  void denyAllRefusesEveryCallWithoutRedis() {
    RedisFleet fleet = instance(SYSTEM, 1, FallbackMode.DENY_ALL);
    RateLimiter limiter = fleet.rateLimiter("strict", perSecond(10, 10));
    redis.redis().stop();

    assertThat(limiter.tryAcquire()).isFalse();
    assertThatThrownBy(() -> limiter.call(() -> "never")).isInstanceOf(RateLimitedException.class);
  }

  @Test
  void badConfigurationIsRefusedNamingTheSetting() {
    RedisFleet fleet = instance(SYSTEM, 1, FallbackMode.DENY_ALL);
    assertThatThrownBy(
            () ->
                fleet.rateLimiter(
                    "window",
                    RateLimiterConfig.builder()
                        .algorithm(RateLimiterConfig.Algorithm.FIXED_WINDOW)
                        .build()))
        .hasMessage("algorithm must be TOKEN_BUCKET for a fleet rate limiter, was FIXED_WINDOW");
    assertThatThrownBy(
            () -> fleet.rateLimiter("fast", RateLimiterConfig.builder().limit(2_000_000).build()))
        .hasMessageStartingWith("limit must be in [1, 1000000]");
    assertThatThrownBy(() -> RedisFleet.builder("redis://x").commandTimeout(Duration.ZERO))
        .hasMessage("commandTimeout must be in [PT0.001S, PT1M], was PT0S");
    assertThatThrownBy(() -> RedisFleet.builder("redis://x").expectedInstances(0))
        .hasMessage("expectedInstances must be in [1, 100000], was 0");
  }

  /** A fleet event and when it was published, by the system's monotonic clock. */
  private record Seen(FleetEvent.Kind kind, long nanos) {}

  private static void record(PolicyEvent event, ConcurrentLinkedQueue<Seen> events) {
    events.add(new Seen(((FleetEvent) event).kind(), SYSTEM.nanoTime()));
  }

  private static void awaitAdmissions(AtomicLong admitted, long atLeast) {
    long deadline = SYSTEM.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (admitted.get() < atLeast) {
      assertThat(SYSTEM.nanoTime() - deadline).as("admissions within 10 s").isNegative();
      LockSupport.parkNanos(1_000_000);
    }
  }

  /**
   * Waits (10 s at most) for {@code count} events of {@code kind} published after {@code since};
   * returns when the last of them was published.
   */
  private static long awaitEvents(
      ConcurrentLinkedQueue<Seen> events, FleetEvent.Kind kind, int count, long since) {
    long deadline = SYSTEM.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (true) {
      List<Long> times =
          events.stream()
              .filter(e -> e.kind() == kind && e.nanos() - since >= 0)
              .map(Seen::nanos)
              .sorted()
              .toList();
      long seen = times.size();
      if (seen >= count) {
        return times.get(count - 1);
      }
      assertThat(SYSTEM.nanoTime() - deadline)
          .as("%d %s events within 10 s, saw %d", count, kind, seen)
          .isNegative();
      LockSupport.parkNanos(1_000_000);
    }
  }
}
