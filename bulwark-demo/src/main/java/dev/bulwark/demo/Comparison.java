package dev.bulwark.demo;

import dev.bulwark.Resilience;
import dev.bulwark.cache.ResilientCache;
import dev.bulwark.time.Clock;
import dev.bulwark.time.Scheduler;
import java.io.IOException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.ThreadFactory;
import java.util.function.DoubleSupplier;
import org.jspecify.annotations.Nullable;

/**
 * The showcase's experiment: two copies of the flaky HTTP service following the same script, one
 * called with a plain JDK client and one through a {@code ResilientHttpClient} with a last known
 * good fallback, driven by the same load at the same time.
 *
 * <p>Each side has its own service instance (its own port, handler threads and counters), so one
 * side's load cannot slow the other's service, and the service's counts need no client's help.
 *
 * <p>Thread-safe to {@link #run} once; {@link #close()} stops both services and both clients.
 */
public final class Comparison implements AutoCloseable {
  private final Timeline timeline;
  private final LoadDriver driver;
  private final FlakyHttpService plainService;
  private final FlakyHttpService guardedService;
  private final HttpClient plainHttp;
  private final DirectClient direct;
  private final GuardedClient guarded;

  private Comparison(
      Timeline timeline,
      LoadDriver driver,
      FlakyHttpService plainService,
      FlakyHttpService guardedService,
      Resilience resilience,
      Protection protection,
      @Nullable ResilientCache<String, String> lastKnown) {
    this.timeline = timeline;
    this.driver = driver;
    this.plainService = plainService;
    this.guardedService = guardedService;
    this.plainHttp = Protection.plainHttpClient();
    this.direct = new DirectClient(plainHttp, plainService.uri(), Protection.ATTEMPT_TIMEOUT);
    this.guarded =
        lastKnown == null
            ? new GuardedClient(guardedService.uri(), resilience, protection)
            : new GuardedClient(guardedService.uri(), resilience, protection, lastKnown);
  }

  /**
   * Starts both services and both clients; the protected client keeps its host's policies in {@code
   * resilience}. The services' script begins when {@link #run} says.
   *
   * @param users how many users each side has, each sending one request a {@code pace}
   * @param random uniform numbers in [0, 1) for the services
   * @throws IOException if a service could not bind its port
   */
  public static Comparison start(
      Timeline timeline,
      int users,
      Duration pace,
      Clock clock,
      Scheduler scheduler,
      DoubleSupplier random,
      Resilience resilience)
      throws IOException {
    return start(timeline, users, pace, clock, scheduler, random, resilience, null);
  }

  /**
   * As {@link #start(Timeline, int, Duration, Clock, Scheduler, DoubleSupplier, Resilience)}, the
   * protected client keeping its last known good answers in {@code lastKnown} (null: a process-only
   * cache of its own).
   *
   * @throws IOException if a service could not bind its port
   */
  public static Comparison start(
      Timeline timeline,
      int users,
      Duration pace,
      Clock clock,
      Scheduler scheduler,
      DoubleSupplier random,
      Resilience resilience,
      @Nullable ResilientCache<String, String> lastKnown)
      throws IOException {
    Objects.requireNonNull(resilience, "resilience");
    LoadDriver driver = new LoadDriver(clock, scheduler, users, pace);
    FlakyHttpService plain =
        FlakyHttpService.start("unprotected-side", timeline, clock, scheduler, random);
    FlakyHttpService guarded;
    try {
      guarded = FlakyHttpService.start("bulwark-side", timeline, clock, scheduler, random);
    } catch (IOException | RuntimeException e) {
      plain.close();
      throw e;
    }
    return new Comparison(
        timeline, driver, plain, guarded, resilience, Protection.standard(), lastKnown);
  }

  /**
   * Warms both sides up before the run: {@code requests} requests to each service through each
   * client's JDK client (below the protected client's policies, so no policy counts them), from
   * {@code threads} threads, so the first users do not pay for connections, class loading and
   * compilation. The services answer these at once and do not count them.
   *
   * @throws InterruptedException if interrupted while waiting for the warm-up
   */
  public void warmUp(int requests, int threads, ThreadFactory factory) throws InterruptedException {
    List<Runnable> tasks = new ArrayList<>();
    for (int t = 0; t < threads; t++) {
      int first = t;
      tasks.add(
          () -> {
            for (int i = first; i < requests; i += threads) {
              String sku = LoadDriver.sku(i);
              warmUpOne(plainHttp, plainService, sku);
              warmUpOne(guarded.wire(), guardedService, sku);
            }
          });
    }
    LoadDriver.Launcher.threads(factory).runAll(tasks);
  }

  private static void warmUpOne(HttpClient http, FlakyHttpService service, String sku) {
    HttpRequest request =
        HttpRequest.newBuilder(service.uri().resolve("stock/" + sku))
            .header(FlakyHttpService.WARM_UP, "true")
            .timeout(Duration.ofSeconds(5))
            .build();
    try {
      http.send(request, HttpResponse.BodyHandlers.discarding());
    } catch (IOException e) {
      // a warm-up request that failed warmed up as much
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /** The two reports. */
  public record Result(RunReport unprotected, RunReport protectedRun) {}

  /** The protected client, to listen to its breaker. */
  public GuardedClient guarded() {
    return guarded;
  }

  /** The unprotected client, to show its answers on a dashboard. */
  public DirectClient direct() {
    return direct;
  }

  /** The service the protected client calls. */
  public FlakyHttpService guardedService() {
    return guardedService;
  }

  /**
   * Runs both clients from {@code originNanos} on the clock, when both services' script begins,
   * until the end of the timeline, their users launched together by {@code launcher}.
   *
   * @throws InterruptedException if interrupted while waiting for the users
   */
  public Result run(long originNanos, LoadDriver.Launcher launcher) throws InterruptedException {
    plainService.scriptFrom(originNanos);
    guardedService.scriptFrom(originNanos);
    LoadDriver.Run plainRun = driver.prepare(direct, originNanos, timeline.length());
    LoadDriver.Run guardedRun = driver.prepare(guarded, originNanos, timeline.length());
    List<Runnable> users = new ArrayList<>(plainRun.users());
    users.addAll(guardedRun.users());
    launcher.runAll(users);
    return new Result(
        RunReport.of(
            "unprotected", plainRun.logs(), timeline, plainService.counts(), direct.counts()),
        RunReport.of(
            "bulwark", guardedRun.logs(), timeline, guardedService.counts(), guarded.counts()));
  }

  /** Closes both clients and stops both services. */
  @Override
  public void close() {
    try {
      guarded.close();
      Closing.close(plainHttp);
    } finally {
      plainService.close();
      guardedService.close();
    }
  }
}
