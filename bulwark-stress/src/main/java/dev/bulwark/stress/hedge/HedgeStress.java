package dev.bulwark.stress.hedge;

import static org.openjdk.jcstress.annotations.Expect.ACCEPTABLE;
import static org.openjdk.jcstress.annotations.Expect.FORBIDDEN;

import dev.bulwark.hedge.Hedge;
import dev.bulwark.hedge.HedgeConfig;
import dev.bulwark.test.ManualClock;
import dev.bulwark.test.ManualScheduler;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import org.openjdk.jcstress.annotations.Actor;
import org.openjdk.jcstress.annotations.Arbiter;
import org.openjdk.jcstress.annotations.JCStressTest;
import org.openjdk.jcstress.annotations.Outcome;
import org.openjdk.jcstress.annotations.State;
import org.openjdk.jcstress.infra.results.IIII_Result;
import org.openjdk.jcstress.infra.results.III_Result;

/**
 * A hedged call whose primary and hedge end at the same moment: the call completes once, counts its
 * outcome once, and the loser is dropped or cancelled, never taken. Run: {@code java -jar
 * bulwark-stress/target/jcstress.jar -t HedgeStress}.
 */
public final class HedgeStress {
  private static final Duration DELAY = Duration.ofMillis(1);

  private HedgeStress() {}

  /** A call with its primary and one hedge running, on frozen time. */
  static class HedgedCall {
    final Hedge hedge;
    final List<CompletableFuture<String>> attempts = new ArrayList<>(2);
    final CompletableFuture<String> result;

    HedgedCall() {
      ManualClock clock = ManualClock.nearOverflow();
      ManualScheduler scheduler = new ManualScheduler(clock);
      hedge =
          Hedge.of(
              "stress",
              HedgeConfig.builder().delay(DELAY).maxExtraLoad(1).build(),
              clock,
              scheduler);
      result =
          hedge
              .callAsync(
                  () -> {
                    CompletableFuture<String> attempt = new CompletableFuture<>();
                    attempts.add(attempt);
                    return attempt;
                  })
              .toCompletableFuture();
      scheduler.advance(DELAY); // the hedge starts on this thread, before the actors run
    }

    CompletableFuture<String> primary() {
      return attempts.get(0);
    }

    CompletableFuture<String> hedged() {
      return attempts.get(1);
    }
  }

  /**
   * Both attempts succeed at once. r1: which value the call got (1 primary, 2 hedge); r2:
   * successful calls counted; r3: hedges counted as won; r4: attempts cancelled.
   */
  @JCStressTest
  @Outcome(
      id = {"1, 1, 0, 0", "2, 1, 1, 0"},
      expect = ACCEPTABLE,
      desc = "one wins; the loser also finished and its value was dropped")
  @Outcome(
      id = {"1, 1, 0, 1", "2, 1, 1, 1"},
      expect = ACCEPTABLE,
      desc = "one wins; the loser was cancelled before it finished")
  @Outcome(expect = FORBIDDEN, desc = "completed or counted twice, or the winner cancelled")
  @State
  public static class TwoSuccessesAtOnce extends HedgedCall {
    @Actor
    public void primaryAnswers() {
      primary().complete("primary");
    }

    @Actor
    public void hedgeAnswers() {
      hedged().complete("hedge");
    }

    @Arbiter
    public void outcome(IIII_Result r) {
      String value = result.getNow(null);
      r.r1 = "primary".equals(value) ? 1 : "hedge".equals(value) ? 2 : 0;
      Hedge.Statistics stats = hedge.statistics();
      r.r2 = (int) (stats.successfulCalls() + stats.failedCalls() + stats.cancelledCalls());
      r.r3 = (int) stats.hedgesWon();
      r.r4 = (primary().isCancelled() ? 1 : 0) + (hedged().isCancelled() ? 1 : 0);
    }
  }

  /**
   * Both attempts fail at once. r1: which failure the call failed with (1 primary, 2 hedge); r2:
   * failed calls counted; r3: failures suppressed in it.
   */
  @JCStressTest
  @Outcome(
      id = {"1, 1, 1", "2, 1, 1"},
      expect = ACCEPTABLE,
      desc = "the last to fail ends the call, the other suppressed in it")
  @Outcome(expect = FORBIDDEN, desc = "failed twice or never, or a failure lost")
  @State
  public static class TwoFailuresAtOnce extends HedgedCall {
    private final IllegalStateException primaryFailure = new IllegalStateException("primary");
    private final IllegalStateException hedgeFailure = new IllegalStateException("hedge");

    @Actor
    public void primaryFails() {
      primary().completeExceptionally(primaryFailure);
    }

    @Actor
    public void hedgeFails() {
      hedged().completeExceptionally(hedgeFailure);
    }

    @Arbiter
    public void outcome(III_Result r) {
      Throwable failure = null;
      try {
        result.getNow(null);
      } catch (CompletionException e) {
        failure = e.getCause();
      }
      r.r1 = failure == primaryFailure ? 1 : failure == hedgeFailure ? 2 : 0;
      Hedge.Statistics stats = hedge.statistics();
      r.r2 = (int) (stats.failedCalls() + stats.successfulCalls() + stats.cancelledCalls());
      r.r3 = failure == null ? -1 : failure.getSuppressed().length;
    }
  }
}
