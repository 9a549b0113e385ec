package dev.bulwark.demo;

import dev.bulwark.Resilience;
import dev.bulwark.admin.AdminServer;
import dev.bulwark.cache.CacheStats;
import dev.bulwark.cache.RedisLevel;
import dev.bulwark.circuitbreaker.CircuitBreaker;
import dev.bulwark.circuitbreaker.StateChanged;
import dev.bulwark.event.CallsHeldBack;
import dev.bulwark.micrometer.BulwarkMetrics;
import dev.bulwark.test.redis.RedisServer;
import dev.bulwark.time.Clock;
import dev.bulwark.time.Scheduler;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.IOException;
import java.io.PrintStream;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The runnable showcase: the same flaky inventory service over real HTTP on loopback, under the
 * same load, called with a plain JDK {@code HttpClient} and through a {@code ResilientHttpClient}
 * (breaker, retry, timeouts, Retry-After, last known good fallback from a bulwark-cache with a
 * Redis level on a redis-server the test kit starts), both at once for 27 seconds; prints the
 * script, the breaker's state changes as they happen, then both runs side by side. Every number
 * printed is measured during the run. Both sides also move on a live dashboard (bulwark-admin on
 * loopback) unless {@code --terminal-only} is given.
 *
 * <p>
 *
 * {@snippet lang=shell :
 * mvn -q -B -DskipTests -pl bulwark-demo -am package && java -jar bulwark-demo/target/showcase.jar
 * }
 */
public final class Showcase {
  private static final int USERS = 30;
  private static final Duration PACE = Duration.ofMillis(100);
  private static final int WARM_UP_REQUESTS = 100;
  private static final Duration START_DELAY = Duration.ofMillis(300);
  private static final long QUIET_NANOS = Duration.ofSeconds(1).toNanos();
  private static final String UNPROTECTED = "unprotected-side";

  private Showcase() {}

  /**
   * Runs the showcase and prints it to standard output. With the live dashboard by default (an
   * admin server on loopback, its URL printed first); {@code --terminal-only} leaves it out, {@code
   * --dashboard-port=N} picks its port (default: any free one).
   */
  public static void main(String[] args) throws IOException, InterruptedException {
    PrintStream out = System.out;
    boolean dashboard = true;
    int dashboardPort = 0;
    for (String arg : args) {
      if (arg.equals("--terminal-only")) {
        dashboard = false;
      } else if (arg.startsWith("--dashboard-port=")) {
        dashboardPort = Integer.parseInt(arg.substring("--dashboard-port=".length()));
      } else {
        System.err.println(
            "unknown argument " + arg + "; known: --terminal-only, --dashboard-port=N");
        System.exit(2);
      }
    }
    Clock clock = Clock.system();
    Scheduler scheduler = Scheduler.system();
    Timeline timeline = Timeline.standard();
    ThreadFactory threads = Threads.forUsers();
    Resilience resilience = Resilience.builder().clock(clock).scheduler(scheduler).build();

    try (AdminServer admin = dashboard ? dashboard(resilience, dashboardPort, out) : null;
        RedisServer redisServer = RedisServer.start();
        RedisLevel redis = RedisLevel.builder(redisServer.uri().toString()).clock(clock).build();
        Comparison comparison =
            Comparison.start(
                timeline,
                USERS,
                PACE,
                clock,
                scheduler,
                () -> ThreadLocalRandom.current().nextDouble(),
                resilience,
                GuardedClient.lastKnownCache(clock, redis))) {
      String host = comparison.guarded().breaker().name();
      if (admin != null) {
        // the unprotected side on the dashboard too: a disabled breaker only counts its answers
        CircuitBreaker observer = resilience.circuitBreaker(UNPROTECTED);
        observer.disable();
        comparison.direct().observe(observer, clock);
      }
      out.printf(
          Locale.ROOT,
          "Bulwark showcase: a flaky inventory service over HTTP on loopback, under the same"
              + " load%ntwice at the same time: GET /stock/{sku}, %d users per side (%s), each"
              + " sending one%nrequest every %d ms about one of %d items, for %d s. Each side has"
              + " its own copy of the service.%n  unprotected: a plain java.net.http.HttpClient"
              + " (HTTP/1.1); each request times out after %.1f s,%n               the same as the"
              + " protected side's per-attempt timeout, to be fair;%n               anything but a"
              + " 200 is an error for the user%n  bulwark:     %s%nThe service's script (both"
              + " copies follow it):%n",
          USERS,
          Threads.kind(threads),
          PACE.toMillis(),
          LoadDriver.ITEMS,
          timeline.length().toSeconds(),
          Protection.ATTEMPT_TIMEOUT.toMillis() / 1e3,
          Protection.standard().describe());
      for (int i = 0; i < timeline.phases().size(); i++) {
        out.printf(
            Locale.ROOT,
            "  %4.1f-%4.1f s  %s%n",
            seconds(timeline.phases().get(i).start().toNanos()),
            seconds(timeline.end(i).toNanos()),
            timeline.phases().get(i).describe());
      }
      out.printf(
          Locale.ROOT,
          "The protected side's last known good answers live in a bulwark-cache: 1 s in the"
              + " process,%n5 s fresh (10 min for failures) in a redis-server on %s:%d, started"
              + " through the test kit.%n",
          redisServer.host(),
          redisServer.port());
      out.printf(
          Locale.ROOT,
          "The protected side's breaker and limiter are named '%s'.%n"
              + "Both sides first warm up with %d uncounted requests, below the policies.%n%n",
          host,
          WARM_UP_REQUESTS);
      comparison.warmUp(WARM_UP_REQUESTS, 10, threads);
      long origin = clock.nanoTime() + START_DELAY.toNanos();

      comparison
          .guarded()
          .breaker()
          .events()
          .subscribe(
              StateChanged.class,
              e ->
                  out.printf(
                      Locale.ROOT,
                      "t=%4.1fs  breaker '%s' %s -> %s%n",
                      seconds(clock.nanoTime() - origin),
                      e.policyName(),
                      e.from(),
                      e.to()));
      AtomicLong lastHoldPrinted = new AtomicLong(clock.nanoTime() - QUIET_NANOS);
      comparison
          .guarded()
          .limiter()
          .events()
          .subscribe(
              CallsHeldBack.class,
              e -> {
                long now = clock.nanoTime();
                long last = lastHoldPrinted.get();
                if (now - last >= QUIET_NANOS && lastHoldPrinted.compareAndSet(last, now)) {
                  out.printf(
                      Locale.ROOT,
                      "t=%4.1fs  limiter '%s' holds every caller back %.1f s: the service sent"
                          + " Retry-After%n",
                      seconds(now - origin),
                      e.policyName(),
                      e.duration().toMillis() / 1e3);
                }
              });
      for (Phase phase : timeline.phases()) {
        scheduler.schedule(
            () ->
                out.printf(
                    Locale.ROOT,
                    "t=%4.1fs  service %s%n",
                    seconds(clock.nanoTime() - origin),
                    phase.name()),
            origin + phase.start().toNanos() - clock.nanoTime());
      }

      Comparison.Result result = comparison.run(origin, LoadDriver.Launcher.threads(threads));

      int outage = timeline.outageIndex().orElseThrow();
      String window =
          String.format(
              Locale.ROOT,
              "%.0f-%.0f s",
              seconds(timeline.phases().get(outage).start().toNanos()),
              seconds(timeline.end(outage).toNanos()));
      out.println();
      out.print(
          ReportTable.format(
              List.of(result.unprotected(), result.protectedRun()),
              window,
              Protection.ATTEMPT_TIMEOUT));
      CacheStats cache = comparison.guarded().cacheStats();
      out.printf(
          Locale.ROOT,
          "%nLast known good answers served from the cache: %d (process level %d, Redis level"
              + " %d),%n  %d of them stale (past their 5 s); loads saved %d (answers given without"
              + " asking the service); Redis errors %d.%n",
          cache.fallbackUses(),
          cache.processHits(),
          cache.redisHits(),
          cache.staleServed(),
          cache.loadsSaved(),
          cache.redisErrors());
      out.println();
      out.println(
          "Every number above was measured in this run; run it again and they will move a little.\n"
              + "A user waits for each answer before sending the next request, so users stuck on\n"
              + "slow answers send fewer requests. While the service rate-limits, the protected"
              + " side\n"
              + "honours Retry-After: it pauses every caller and serves the last known good"
              + " instead\n"
              + "of adding load, so it gets few 429s but also few fresh answers in that phase.\n"
              + "Retries turn some errors into slower answers (an attempt cut at the timeout,"
              + " then\n"
              + "another), which shows in the p99. The breaker lets probes through only after its\n"
              + "open wait, so the first fresh answer after the outage may come a little later:\n"
              + "that is the price of not hammering a service that is down.");
    }
  }

  private static AdminServer dashboard(Resilience resilience, int port, PrintStream out)
      throws IOException {
    byte[] random = new byte[18];
    new SecureRandom().nextBytes(random);
    String token = Base64.getUrlEncoder().withoutPadding().encodeToString(random);
    AdminServer admin = admin(resilience, port, token);
    out.printf(
        Locale.ROOT,
        "Live dashboard: %s  (both sides move on it during the run; token for its reset and"
            + " force%nbuttons: %s; --terminal-only runs without it). Tiles: '%s' is the plain"
            + " client's answers,%nthe other breaker is the protected side's.%n%n",
        admin.uri(),
        token,
        UNPROTECTED);
    return admin;
  }

  /**
   * The admin server of the run, its {@code /metrics} the registry's meters bound to a Prometheus
   * registry (health status included) for as long as the process lives.
   */
  static AdminServer admin(Resilience resilience, int port, String token) throws IOException {
    PrometheusMeterRegistry prometheus = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    BulwarkMetrics.builder().healthStatus(true).bind(resilience, prometheus);
    return AdminServer.builder(resilience)
        .port(port)
        .token(token)
        .metrics(prometheus::scrape)
        .build()
        .start();
  }

  private static double seconds(long nanos) {
    return nanos / 1e9;
  }
}
