package dev.bulwark.demo;

import dev.bulwark.event.StateChanged;
import dev.bulwark.time.Clock;
import dev.bulwark.time.Scheduler;
import java.io.PrintStream;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.ThreadLocalRandom;

/**
 * The runnable showcase: the same flaky inventory service, under the same load, called directly and
 * through Bulwark (circuit breaker + retry, with a last-known-good fallback), both at once for 20
 * seconds; prints the script, the breaker's state changes as they happen, then both runs side by
 * side. Every number printed is measured during the run.
 *
 * <p>
 *
 * {@snippet lang=shell : mvn -q -B install -DskipTests && mvn -q -B exec:java -pl bulwark-demo }
 */
public final class Showcase {
  private static final int USERS = 50;
  private static final Duration PACE = Duration.ofMillis(100);
  private static final Duration START_DELAY = Duration.ofMillis(200);

  private Showcase() {}

  /** Runs the showcase and prints it to standard output. */
  public static void main(String[] args) throws InterruptedException {
    PrintStream out = System.out;
    Clock clock = Clock.system();
    Scheduler scheduler = Scheduler.system();
    Timeline timeline = Timeline.standard();
    ThreadFactory threads = Threads.forUsers();
    Protection protection = Protection.standard(clock, scheduler, ThreadLocalRandom::current);

    out.printf(
        Locale.ROOT,
        "Bulwark showcase: a flaky inventory service under the same load twice, at the same time.%n"
            + "%d users (%s), each sending one request every %d ms, for %d s.%n"
            + "  unprotected: each request calls the service directly%n"
            + "  bulwark:     %s%n"
            + "               and serves the last known good answer when that fails%n"
            + "The service's script (each run has its own copy):%n",
        USERS,
        Threads.kind(threads),
        PACE.toMillis(),
        timeline.length().toSeconds(),
        protection.describe());
    for (int i = 0; i < timeline.phases().size(); i++) {
      out.printf(
          Locale.ROOT,
          "  %4.1f-%4.1f s  %s%n",
          seconds(timeline.phases().get(i).start().toNanos()),
          seconds(timeline.end(i).toNanos()),
          timeline.phases().get(i).describe());
    }
    out.println();

    long origin = clock.nanoTime() + START_DELAY.toNanos();
    protection
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

    Comparison comparison =
        new Comparison(
            timeline,
            USERS,
            PACE,
            clock,
            scheduler,
            () -> ThreadLocalRandom.current().nextDouble());
    Comparison.Result result =
        comparison.run(protection.pipeline(), origin, LoadDriver.Launcher.threads(threads));

    int outage = timeline.outageIndex().orElseThrow();
    String window =
        String.format(
            Locale.ROOT,
            "%.0f-%.0f s",
            seconds(timeline.phases().get(outage).start().toNanos()),
            seconds(timeline.end(outage).toNanos()));
    out.println();
    out.print(ReportTable.format(List.of(result.unprotected(), result.protectedRun()), window));
    out.println();
    out.println(
        "Every number above was measured in this run; run it again and they will move a little.\n"
            + "A user waits for each answer before sending the next request, so unprotected users\n"
            + "stuck on the outage's connect timeout send fewer requests. The breaker lets probes\n"
            + "through only after its open wait, so fresh answers may come back a little later.");
  }

  private static double seconds(long nanos) {
    return nanos / 1e9;
  }
}
