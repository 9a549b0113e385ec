package dev.bulwark.stress;

import dev.bulwark.test.http.ScriptedHttpServer;
import dev.bulwark.timeout.Timeout;
import dev.bulwark.timeout.TimeoutConfig;
import java.io.PrintStream;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse.BodyHandlers;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The soak runner: full pipelines and the HTTP client under random faults, slow calls, calls that
 * ignore interrupts, cancellations, interrupts and timeouts, for a set time, then a reconciliation
 * of every call.
 *
 * <p>What runs at once (see {@link PipelineSoak} and {@link HttpSoak}):
 *
 * <ul>
 *   <li>twelve callers on bulkhead(4, max wait 5 ms) > breaker > retry(2 attempts) > timeout(15 ms)
 *       over a remote call that fails, is slow or ignores interrupts;
 *   <li>the same pipeline called asynchronously, about 20% of its futures cancelled, its remote
 *       call sometimes never answering;
 *   <li>the HTTP client against the scripted loopback server: 503, 429 with Retry-After, resets,
 *       disconnects, stalls, slow headers, chunked 500s, synchronous and asynchronous, 20% of
 *       futures cancelled;
 *   <li>a thread interrupting the synchronous callers of both.
 * </ul>
 *
 * <p>At the end every call must have exactly one outcome, matched to the policies' events and
 * snapshots; every bulkhead permit back; the limiter without waiters; no thread, file descriptor or
 * connection more than before. On virtual threads with {@code --jfr} (Java 21+), no {@code
 * jdk.VirtualThreadPinned} event may have a Bulwark frame. Any mismatch prints a reconciliation
 * report and exits with status 1; bad arguments exit with status 2.
 *
 * {@snippet lang=shell :
 * java -cp bulwark-stress/target/jcstress.jar dev.bulwark.stress.Soak --duration 60s
 * java -cp bulwark-stress/target/jcstress.jar dev.bulwark.stress.Soak --duration 30s --threads virtual --jfr
 * }
 *
 * <p>Options: {@code --duration} (e.g. {@code 500ms}, {@code 60s}, {@code 10m}; default 60s),
 * {@code --threads platform|virtual|both} (default platform; both splits the time), {@code --jfr},
 * {@code --seed N}, {@code --max-calls N} (per scenario and thread kind; default 50 000 000),
 * {@code --no-http}, {@code --cancel-share P} (the share of asynchronous calls their callers
 * cancel; default 0.2), {@code --report-only} (print the report, but exit 0 on a mismatch).
 * Network: 127.0.0.1 only.
 */
public final class Soak {

  private Soak() {}

  /** Runs the soak; exits 0 if every call reconciles, 1 on a mismatch, 2 on bad arguments. */
  public static void main(String[] args) throws Exception {
    Options options;
    try {
      options = Options.parse(args);
    } catch (IllegalArgumentException e) {
      System.err.println("soak: " + e.getMessage());
      System.err.println(
          "usage: Soak [--duration 60s] [--threads platform|virtual|both] [--jfr] [--seed N]"
              + " [--max-calls N] [--no-http] [--cancel-share 0.2] [--report-only]");
      System.exit(2);
      return;
    }
    System.exit(new Soak().run(options, System.out));
  }

  /** The parsed command line. */
  record Options(
      Duration duration,
      List<Workers> kinds,
      boolean jfr,
      long seed,
      long maxCalls,
      boolean http,
      boolean reportOnly) {

    static Options parse(String[] args) {
      Duration duration = Duration.ofSeconds(60);
      List<Workers> kinds = List.of(Workers.PLATFORM);
      boolean jfr = false;
      long seed = System.nanoTime();
      long maxCalls = 50_000_000;
      boolean http = true;
      boolean reportOnly = false;
      for (int i = 0; i < args.length; i++) {
        String arg = args[i];
        switch (arg) {
          case "--duration" -> duration = parseDuration(value(args, ++i, arg));
          case "--threads" -> {
            String kind = value(args, ++i, arg);
            kinds =
                switch (kind) {
                  case "platform" -> List.of(Workers.PLATFORM);
                  case "virtual" -> List.of(Workers.VIRTUAL);
                  case "both" -> List.of(Workers.PLATFORM, Workers.VIRTUAL);
                  default ->
                      throw new IllegalArgumentException(
                          "--threads must be platform, virtual or both, was " + kind);
                };
          }
          case "--jfr" -> jfr = true;
          case "--seed" -> seed = Long.parseLong(value(args, ++i, arg));
          case "--max-calls" -> maxCalls = Long.parseLong(value(args, ++i, arg));
          case "--no-http" -> http = false;
          case "--report-only" -> reportOnly = true;
          case "--cancel-share" -> {
            double share = Double.parseDouble(value(args, ++i, arg));
            if (!(share >= 0 && share <= 1)) {
              throw new IllegalArgumentException("--cancel-share must be in [0, 1], was " + share);
            }
            PipelineSoak.cancelledShare = share;
          }
          default -> throw new IllegalArgumentException("unknown option " + arg);
        }
      }
      if (duration.isNegative()
          || duration.isZero()
          || duration.compareTo(Duration.ofHours(2)) > 0) {
        throw new IllegalArgumentException("--duration must be in (0, 2h], was " + duration);
      }
      if (kinds.contains(Workers.VIRTUAL) && !Workers.virtualThreadsAvailable()) {
        throw new IllegalArgumentException(
            "--threads virtual needs Java 21 or later; this is " + Runtime.version());
      }
      if (jfr && !kinds.contains(Workers.VIRTUAL)) {
        throw new IllegalArgumentException("--jfr watches virtual threads: add --threads virtual");
      }
      return new Options(duration, kinds, jfr, seed, maxCalls, http, reportOnly);
    }

    private static String value(String[] args, int i, String option) {
      if (i >= args.length) {
        throw new IllegalArgumentException(option + " needs a value");
      }
      return args[i];
    }

    static Duration parseDuration(String text) {
      String t = text.trim().toLowerCase(Locale.ROOT);
      try {
        if (t.endsWith("ms")) {
          return Duration.ofMillis(Long.parseLong(t.substring(0, t.length() - 2)));
        } else if (t.endsWith("s")) {
          return Duration.ofSeconds(Long.parseLong(t.substring(0, t.length() - 1)));
        } else if (t.endsWith("m")) {
          return Duration.ofMinutes(Long.parseLong(t.substring(0, t.length() - 1)));
        }
      } catch (NumberFormatException e) {
        // fall through to the message below
      }
      throw new IllegalArgumentException(
          "--duration must look like 500ms, 60s or 10m, was " + text);
    }
  }

  int run(Options options, PrintStream out) throws Exception {
    // The JDK client closes idle connections after this many seconds (default 30 or more), so the
    // soak can see every connection close soon after its round; read once, when the client loads.
    System.setProperty("jdk.httpclient.keepalive.timeout", "1");
    AtomicInteger threadIds = new AtomicInteger();
    ScheduledThreadPoolExecutor timers =
        new ScheduledThreadPoolExecutor(
            2,
            r -> {
              Thread t = new Thread(r, "soak-timers-" + threadIds.incrementAndGet());
              t.setDaemon(true);
              return t;
            });
    timers.setRemoveOnCancelPolicy(true);
    timers.prestartAllCoreThreads(); // in the baseline, not counted as new threads after the run
    ThreadPoolExecutor httpExecutor =
        new ThreadPoolExecutor(
            4,
            4,
            0,
            TimeUnit.SECONDS,
            new LinkedBlockingQueue<>(),
            r -> {
              Thread t = new Thread(r, "soak-http-client-" + threadIds.incrementAndGet());
              t.setDaemon(true);
              return t;
            });
    httpExecutor.prestartAllCoreThreads();
    HttpClient jdkClient =
        HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .executor(httpExecutor)
            .connectTimeout(Duration.ofSeconds(2))
            .build();

    warmUp(jdkClient);
    if (options.jfr()) {
      // Loading a class on its first use pins a virtual thread, and a pin's stack cannot tell that
      // from a policy's own pinning: load every class the run uses before recording starts.
      Options warm =
          new Options(
              Duration.ofSeconds(2),
              options.kinds(),
              false,
              options.seed(),
              options.maxCalls(),
              options.http(),
              true);
      for (Workers kind : options.kinds()) {
        runPhase(
            kind,
            warm.duration(),
            warm,
            timers,
            jdkClient,
            new Reconciliation(),
            new StringBuilder());
      }
    }
    Resources before = Resources.now();
    out.printf(
        "soak: %s on %s threads%s, seed %d, Java %s%n",
        options.duration(),
        options.kinds(),
        options.jfr() ? " with JFR (" + PinnedWatch.EVENT + ")" : "",
        options.seed(),
        Runtime.version());

    Reconciliation reconciliation = new Reconciliation();
    StringBuilder summary = new StringBuilder();
    PinnedWatch pinned = options.jfr() ? new PinnedWatch() : null;
    long startNanos = System.nanoTime();
    Duration share = options.duration().dividedBy(options.kinds().size());
    for (Workers kind : options.kinds()) {
      runPhase(kind, share, options, timers, jdkClient, reconciliation, summary);
    }
    long elapsedNanos = System.nanoTime() - startNanos;

    if (pinned != null) {
      pinned.stop();
      reconciliation.equal(
          "virtual threads",
          PinnedWatch.EVENT + " events with a Bulwark frame",
          0,
          pinned.bulwarkSites().values().stream().mapToInt(Integer::intValue).sum(),
          "a policy pinned its carrier thread at " + pinned.bulwarkSites());
      summary.append(
          String.format(
              "  JFR: %d %s events; with a Bulwark frame %s; elsewhere %s%n",
              pinned.total(), PinnedWatch.EVENT, pinned.bulwarkSites(), pinned.otherSites()));
      pinned.close();
    }

    Resources after = settle(before);
    reconciliation.that(
        "resources",
        after.newThreadsSince(before).isEmpty(),
        "threads alive after the run that were not before: " + after.newThreadsSince(before));
    reconciliation.that(
        "resources",
        after.fileDescriptors() <= before.fileDescriptors(),
        "open file descriptors grew from "
            + before.fileDescriptors()
            + " to "
            + after.fileDescriptors());

    out.printf("soak: ran %.1f s%n", elapsedNanos / 1e9);
    out.print(summary);
    out.printf(
        "  resources: platform threads %d before, %d after (new, not JVM-managed: %s); file"
            + " descriptors %d before, %d after%n",
        before.threads().size(),
        after.threads().size(),
        after.newThreadsSince(before),
        before.fileDescriptors(),
        after.fileDescriptors());
    List<String> mismatches = reconciliation.mismatches();
    timers.shutdownNow();
    httpExecutor.shutdownNow();
    if (mismatches.isEmpty()) {
      out.printf("soak: PASSED, %d checks reconciled%n", reconciliation.checks());
      return 0;
    }
    out.printf(
        "soak: FAILED, %d of %d checks did not reconcile:%n",
        mismatches.size(), reconciliation.checks());
    for (String mismatch : mismatches) {
      out.println("  MISMATCH " + mismatch);
    }
    if (options.reportOnly()) {
      out.println("soak: --report-only, so exiting 0 despite the mismatches above");
      return 0;
    }
    return 1;
  }

  private static void runPhase(
      Workers kind,
      Duration duration,
      Options options,
      ScheduledThreadPoolExecutor timers,
      HttpClient jdkClient,
      Reconciliation reconciliation,
      StringBuilder summary)
      throws Exception {
    Interrupter interrupter = new Interrupter(TimeUnit.MILLISECONDS.toNanos(2));
    PipelineSoak pipelines = new PipelineSoak(kind, interrupter, timers, options.seed());
    HttpSoak http =
        options.http() ? new HttpSoak(kind, interrupter, timers, jdkClient, options.seed()) : null;
    long deadline = System.nanoTime() + duration.toNanos();
    interrupter.start(options.seed() ^ 0x5DEECE66DL);
    List<Throwable> driverFailures = new ArrayList<>();
    Thread pipelineDriver =
        new Thread(
            () -> {
              try {
                pipelines.run(deadline, options.maxCalls());
              } catch (Throwable e) {
                driverFailures.add(e);
              }
            },
            "soak-pipeline-driver");
    pipelineDriver.setDaemon(true);
    pipelineDriver.start();
    if (http != null) {
      http.run(deadline, options.maxCalls());
    }
    pipelineDriver.join(duration.toMillis() + 60_000);
    interrupter.stop();
    reconciliation.that(
        kind + " drivers",
        !pipelineDriver.isAlive() && driverFailures.isEmpty(),
        "the pipeline driver did not finish cleanly: "
            + (pipelineDriver.isAlive() ? "still running" : driverFailures));
    pipelines.reconcile(reconciliation);
    if (http != null) {
      http.reconcile(reconciliation);
    }
    summary.append(
        String.format(
            "phase: %s threads, %s, %d interrupts delivered%n",
            kind, duration, interrupter.delivered()));
    summary.append(pipelines.describe());
    if (http != null) {
      summary.append(http.describe());
      http.close();
    }
  }

  /**
   * Starts, before the baseline is taken, what lives as long as the process anyway: the system
   * scheduler's thread and the JDK client's selector thread.
   */
  private static void warmUp(HttpClient jdkClient) throws Exception {
    Timeout.of("warm-up", TimeoutConfig.builder().timeout(Duration.ofSeconds(1)).build())
        .call(() -> "warm");
    try (ScriptedHttpServer server = ScriptedHttpServer.start()) {
      jdkClient.send(
          HttpRequest.newBuilder(server.uri("/warm-up")).build(), BodyHandlers.ofString());
      server.awaitOpenConnections(0, Duration.ofSeconds(10));
    }
  }

  /**
   * Resources once they settle: threads that end and connections that close after a run do so
   * within seconds, so this polls for up to 15 s before taking what it sees as final.
   */
  private static Resources settle(Resources before) throws InterruptedException {
    // Longer than the 30 s after which the default completion executor's idle threads end: a
    // thread of that pool still alive after this is a leak, not a pool at rest.
    long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(40);
    Resources now = Resources.now();
    while (!now.noGrowthSince(before) && System.nanoTime() - end < 0) {
      Thread.sleep(100);
      now = Resources.now();
    }
    return now;
  }
}
