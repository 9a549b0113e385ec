package dev.bulwark.stress;

import dev.bulwark.circuitbreaker.CircuitBreaker;
import dev.bulwark.circuitbreaker.CircuitBreakerConfig;
import dev.bulwark.http.HttpCallException;
import dev.bulwark.http.ResilientHttpClient;
import dev.bulwark.policy.RejectedException;
import dev.bulwark.ratelimit.RateLimiter;
import dev.bulwark.ratelimit.RetryAfterConfig;
import dev.bulwark.retry.Backoff;
import dev.bulwark.retry.RetryConfig;
import dev.bulwark.stress.Tally.Kind;
import dev.bulwark.test.http.Gate;
import dev.bulwark.test.http.Reply;
import dev.bulwark.test.http.ScriptedHttpServer;
import dev.bulwark.timeout.TimeoutExceededException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpResponse.BodyHandlers;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Queue;
import java.util.SplittableRandom;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.LockSupport;
import org.jspecify.annotations.Nullable;

/**
 * The HTTP client against the scripted server over real loopback HTTP, each request carrying its
 * own script of faults: 503s, 429 with {@code Retry-After}, resets, early disconnects, stalls that
 * only the client's timeouts end, slow headers, 500s with chunked bodies. Synchronous callers
 * (which the {@link Interrupter} also interrupts) and asynchronous ones (about 20% of their futures
 * cancelled) share one client.
 *
 * <p>The server is replaced every round (10 s by default) so its request log stays small; when a
 * round ends, every request the server stalled must have been given up by the client (the
 * connection closed under it), and every connection must close once idle. At the end each call has
 * one outcome and the host's breaker and limiter reconcile with them.
 *
 * <p>Thread-safe.
 */
final class HttpSoak {
  static final int SYNC_CALLERS = 4;
  static final int ASYNC_CALLERS = 2;
  static final int ASYNC_IN_FLIGHT_PER_CALLER = 8;
  static final Duration ROUND = Duration.ofSeconds(10);

  private final Workers workers;
  private final Interrupter interrupter;
  private final ScheduledExecutorService timers;
  private final long seed;
  private final String name;
  private final ResilientHttpClient client;
  private final CircuitBreaker breaker;
  private final RateLimiter limiter;
  private final EventCounts breakerEvents;
  private final EventCounts limiterEvents;
  final Tally tally = new Tally();

  private volatile @Nullable Round round;
  private final List<String> roundReports = new ArrayList<>();
  private final Reconciliation roundChecks = new Reconciliation();
  private final AtomicLong ids = new AtomicLong();
  private final LongAdder leakedInterrupts = new LongAdder();
  private final LongAdder stuckCallers = new LongAdder();
  private final LongAdder serverRequests = new LongAdder();
  private final LongAdder acceptedConnections = new LongAdder();
  private final Queue<CompletableFuture<?>> futures = new ConcurrentLinkedQueue<>();
  private int rounds;

  /** A client over {@code jdkClient} (made before the run, so its threads are in the baseline). */
  HttpSoak(
      Workers workers,
      Interrupter interrupter,
      ScheduledExecutorService timers,
      HttpClient jdkClient,
      long seed) {
    this.workers = workers;
    this.interrupter = interrupter;
    this.timers = timers;
    this.seed = seed;
    this.name = "http-" + workers.name().toLowerCase(Locale.ROOT);
    this.client =
        ResilientHttpClient.builder()
            .httpClient(jdkClient)
            .route(request -> "scripted") // one host's policies for every round's server
            .circuitBreaker(
                CircuitBreakerConfig.builder()
                    .failureRateThreshold(50)
                    .windowSize(50)
                    .minimumCalls(20)
                    .openDuration(Duration.ofMillis(100))
                    .build())
            .retry(
                RetryConfig.builder()
                    .maxAttempts(3)
                    .backoff(Backoff.exponential(Duration.ofMillis(1), 2, Duration.ofMillis(10)))
                    .maxServerDelay(Duration.ofMillis(30))
                    .build())
            .retryAfter(
                RetryAfterConfig.builder()
                    .maxDelay(Duration.ofMillis(30))
                    .defaultDelay(Duration.ofMillis(20))
                    .build())
            .timeout(Duration.ofMillis(400))
            .attemptTimeout(Duration.ofMillis(60))
            .build();
    HttpRequest any = HttpRequest.newBuilder(java.net.URI.create("http://127.0.0.1:1/")).build();
    this.breaker = client.circuitBreaker(any);
    this.limiter = client.rateLimiter(any);
    this.breakerEvents = EventCounts.of(breaker.name(), breaker.events());
    this.limiterEvents = EventCounts.of(limiter.name(), limiter.events());
  }

  /** One server and the gate its stalled replies wait on. */
  private static final class Round {
    final int number;
    final ScriptedHttpServer server = ScriptedHttpServer.start();
    final Gate stall = Gate.closed();

    Round(int number) {
      this.number = number;
    }
  }

  /** Runs until {@code deadlineNanos} or the call cap; rounds are switched on this thread. */
  void run(long deadlineNanos, long maxCalls) throws InterruptedException {
    round = new Round(rounds++);
    List<Thread> threads = new ArrayList<>();
    for (int i = 0; i < SYNC_CALLERS; i++) {
      long workerSeed = seed * 41 + i;
      threads.add(
          workers.start(
              name + "-sync-" + i, () -> syncCaller(workerSeed, deadlineNanos, maxCalls)));
    }
    for (int i = 0; i < ASYNC_CALLERS; i++) {
      long workerSeed = seed * 43 + i;
      threads.add(
          workers.start(
              name + "-async-" + i, () -> asyncCaller(workerSeed, deadlineNanos, maxCalls)));
    }
    while (System.nanoTime() - deadlineNanos < 0) {
      long left = deadlineNanos - System.nanoTime();
      Thread.sleep(Math.max(1, Math.min(ROUND.toMillis(), left / 1_000_000)));
      if (deadlineNanos - System.nanoTime() > ROUND.toNanos() / 2) {
        Round old = round;
        round = new Round(rounds++);
        closeRound(old);
      }
    }
    for (Thread thread : threads) {
      thread.join(15_000);
      if (thread.isAlive()) {
        stuckCallers.increment();
      }
    }
    long drainEnd = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
    while (tally.ended() < tally.started() && System.nanoTime() - drainEnd < 0) {
      Thread.sleep(10);
    }
    closeRound(round);
  }

  /**
   * Ends a round: waits for the calls still on it, checks that the client gave up every request the
   * server stalled and that every connection closes once idle, then stops the server.
   */
  private void closeRound(Round r) throws InterruptedException {
    String scenario = name + " round " + r.number;
    Thread.sleep(600); // a call lasts at most its 400 ms total timeout
    long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
    while (r.stall.clientGoneCount() < r.stall.stalledCount() && System.nanoTime() - end < 0) {
      Thread.sleep(10);
    }
    int stalled = r.stall.stalledCount();
    int gone = r.stall.clientGoneCount();
    roundChecks.equal(
        scenario,
        "stalled requests whose connection the client closed",
        stalled,
        gone,
        "a stalled request the client gave up on must not keep its connection (Gate.stalledCount vs"
            + " clientGoneCount)");
    r.stall.open();
    boolean idle = r.server.awaitOpenConnections(0, Duration.ofSeconds(10));
    roundChecks.that(
        scenario,
        idle,
        r.server.openConnections()
            + " connections still open 10 s after the round (the JDK client's idle timeout is 1 s):"
            + " "
            + r.server);
    roundChecks.that(scenario, r.server.errors().isEmpty(), "server errors: " + r.server.errors());
    serverRequests.add(r.server.requestCount());
    acceptedConnections.add(r.server.acceptedConnections());
    synchronized (roundReports) {
      roundReports.add(
          String.format(
              "round %d: %d requests, %d connections (%d still open once idle), %d stalled, %d"
                  + " given up by the client",
              r.number,
              r.server.requestCount(),
              r.server.acceptedConnections(),
              r.server.openConnections(),
              stalled,
              gone));
    }
    r.server.close();
  }

  // ------------------------------------------------------------------ callers

  private void syncCaller(long workerSeed, long deadlineNanos, long maxCalls) {
    SplittableRandom random = new SplittableRandom(workerSeed);
    Interrupter.Target target = interrupter.register();
    try {
      while (System.nanoTime() - deadlineNanos < 0 && tally.started() < maxCalls) {
        HttpRequest request = scriptedRequest(random);
        long mark = target.beforeCall();
        tally.begin();
        long start = System.nanoTime();
        try {
          HttpResponse<String> response = client.send(request, BodyHandlers.ofString());
          recordResponse(response, System.nanoTime() - start);
        } catch (Throwable e) {
          if (recordFailure(e, false, System.nanoTime() - start) == Kind.REJECTION) {
            LockSupport.parkNanos(PipelineSoak.REJECTED_PAUSE_NANOS);
          }
        }
        if (target.leakedSince(mark)) {
          leakedInterrupts.increment();
        }
      }
    } finally {
      interrupter.unregister(target);
      Thread.interrupted();
    }
  }

  private void asyncCaller(long workerSeed, long deadlineNanos, long maxCalls) {
    SplittableRandom random = new SplittableRandom(workerSeed);
    Semaphore inFlight = new Semaphore(ASYNC_IN_FLIGHT_PER_CALLER);
    try {
      while (System.nanoTime() - deadlineNanos < 0 && tally.started() < maxCalls) {
        if (!inFlight.tryAcquire(5, TimeUnit.SECONDS)) {
          stuckCallers.increment();
          return;
        }
        HttpRequest request = scriptedRequest(random);
        LockSupport.parkNanos(PipelineSoak.ASYNC_PACE_NANOS);
        tally.begin();
        long start = System.nanoTime();
        AtomicBoolean cancelling = new AtomicBoolean();
        CompletableFuture<HttpResponse<String>> future;
        try {
          future = client.sendAsync(request, BodyHandlers.ofString());
        } catch (Throwable e) {
          recordFailure(new IllegalStateException("sendAsync threw", e), false, 0);
          inFlight.release();
          continue;
        }
        futures.add(future);
        future.whenComplete(
            (response, failure) -> {
              long latency = System.nanoTime() - start;
              if (failure == null) {
                recordResponse(response, latency);
              } else {
                recordFailure(PipelineSoak.unwrap(failure), cancelling.get(), latency);
              }
              inFlight.release();
            });
        if (random.nextDouble() < PipelineSoak.cancelledShare) {
          timers.schedule(
              () -> {
                cancelling.set(true);
                future.cancel(true);
              },
              random.nextLong(50_000_000),
              TimeUnit.NANOSECONDS);
        }
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /** A request to a path of its own, whose replies are queued for it: its script of faults. */
  private HttpRequest scriptedRequest(SplittableRandom random) {
    Round r = Objects.requireNonNull(round, "run() starts a round before any request");
    String path = "/soak/" + ids.incrementAndGet();
    int dice = random.nextInt(100);
    if (dice < 40) {
      // nothing queued: 200 "ok"
    } else if (dice < 50) {
      r.server.enqueue(path, Reply.status(503)); // then 200 on the retry
    } else if (dice < 55) {
      r.server.enqueue(path, Reply.status(503), Reply.status(503), Reply.status(503));
    } else if (dice < 60) {
      r.server.enqueue(path, Reply.status(429).header("Retry-After", "1"));
    } else if (dice < 70) {
      r.server.enqueue(path, Reply.reset());
    } else if (dice < 73) {
      r.server.enqueue(path, Reply.reset(), Reply.reset(), Reply.reset());
    } else if (dice < 78) {
      r.server.enqueue(path, Reply.disconnect());
    } else if (dice < 83) {
      r.server.enqueue(path, Reply.ok("late").stall(r.stall)); // only the attempt timeout ends it
    } else if (dice < 93) {
      r.server.enqueue(
          path, Reply.ok("slow headers").delayHeaders(Duration.ofMillis(10 + random.nextInt(71))));
    } else {
      r.server.enqueue(path, Reply.status(500).body("x".repeat(5000)).chunked(512));
    }
    HttpRequest.Builder builder =
        HttpRequest.newBuilder(r.server.uri(path)).timeout(Duration.ofSeconds(5));
    if (random.nextInt(10) == 0) {
      builder.POST(HttpRequest.BodyPublishers.ofString("order")); // not repeatable
    }
    return builder.build();
  }

  private void recordResponse(HttpResponse<String> response, long latency) {
    int status = response.statusCode();
    if (status / 100 == 2) {
      tally.record(Kind.SUCCESS, "status " + status, latency);
    } else {
      tally.record(Kind.FAILURE, "status " + status, latency);
    }
  }

  private Kind recordFailure(Throwable e, boolean cancelledByCaller, long latency) {
    if (e instanceof CancellationException && cancelledByCaller) {
      tally.record(Kind.CANCELLATION, "by caller", latency);
      return Kind.CANCELLATION;
    }
    if (e instanceof HttpCallException call) {
      Throwable cause = call.getCause();
      String policy = call.policyName().orElse("-");
      String detail =
          "HttpCallException(" + (cause == null ? "-" : cause.getClass().getSimpleName()) + ")";
      boolean rejected =
          cause instanceof RejectedException && !(cause instanceof TimeoutExceededException);
      Kind kind = rejected ? Kind.REJECTION : Kind.FAILURE;
      tally.record(kind, detail + " by " + policy, latency);
      return kind;
    }
    tally.record(Kind.FAILURE, PipelineSoak.describe(e), latency);
    return Kind.FAILURE;
  }

  // ------------------------------------------------------------------ after the run

  void reconcile(Reconciliation r) {
    for (String m : roundChecks.mismatches()) {
      r.that(name, false, m);
    }
    r.that(name, stuckCallers.sum() == 0, stuckCallers.sum() + " callers were stuck");
    long calls = tally.started();
    long cancelled = tally.count(Kind.CANCELLATION);
    r.equal(
        name, "outcomes recorded by callers", calls, tally.ended(), "each call has exactly one");
    r.equal(
        name,
        "asynchronous calls whose future never completed (5 s after the run)",
        0,
        futures.stream().filter(f -> !f.isDone()).count(),
        "each call must end in exactly one outcome");
    r.equal(
        name,
        "interrupts left set after a call that no interrupter caused",
        0,
        leakedInterrupts.sum(),
        "the client or a policy interrupted the caller's thread and did not clear it");
    EventCounts cb = breakerEvents;
    long outcomes =
        cb.get("SuccessRecorded") + cb.get("FailureRecorded") + cb.get("OutcomeIgnored");
    r.between(
        name,
        "breaker outcomes",
        cb.get("CallPermitted") - cancelled,
        outcomes,
        cb.get("CallPermitted"),
        "breaker CallPermitted (less cancelled calls, which may give their permission back) vs"
            + " SuccessRecorded + FailureRecorded + OutcomeIgnored");
    r.equal(
        name,
        "breaker not-permitted count",
        cb.get("CallRejected"),
        breaker.snapshot().notPermittedCalls(),
        "CallRejected events vs snapshot().notPermittedCalls()");
    long callersBreakerOpen =
        tally.detail(
            "REJECTION HttpCallException(CircuitBreakerOpenException) by " + breaker.name());
    r.between(
        name,
        "breaker rejections",
        callersBreakerOpen,
        cb.get("CallRejected"),
        callersBreakerOpen + cancelled,
        "callers' CircuitBreakerOpenException (+ cancelled) vs the breaker's CallRejected events");
    RateLimiter.Snapshot ls = limiter.snapshot();
    r.equal(name, "limiter waiters after the run", 0, ls.waitingCallers(), ls.toString());
    r.that(name, ls.availablePermits() >= 0, "limiter has negative permits: " + ls);
    r.equal(
        name,
        "limiter rejected count",
        limiterEvents.get("CallRejected"),
        ls.rejectedCalls(),
        "CallRejected events vs snapshot().rejectedCalls()");
  }

  String describe() {
    StringBuilder sb = new StringBuilder();
    sb.append("  ").append(name).append(": ").append(client).append('\n');
    sb.append(tally.describe("    "));
    sb.append("    server requests ")
        .append(serverRequests.sum())
        .append(", connections accepted ")
        .append(acceptedConnections.sum())
        .append(", rounds ")
        .append(rounds)
        .append('\n');
    synchronized (roundReports) {
      for (String report : roundReports) {
        sb.append("      ").append(report).append('\n');
      }
    }
    sb.append("    events ").append(breakerEvents).append('\n');
    sb.append("    events ").append(limiterEvents).append('\n');
    sb.append("    breaker ").append(breaker.snapshot()).append('\n');
    sb.append("    limiter ").append(limiter.snapshot()).append('\n');
    sb.append("    leaked interrupts ").append(leakedInterrupts.sum()).append('\n');
    return sb.toString();
  }

  void close() {
    client.close();
  }
}
