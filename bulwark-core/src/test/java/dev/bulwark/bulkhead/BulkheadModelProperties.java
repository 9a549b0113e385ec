package dev.bulwark.bulkhead;

import static org.assertj.core.api.Assertions.assertThat;

import dev.bulwark.test.ManualClock;
import dev.bulwark.test.ManualScheduler;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;

/**
 * The bulkhead against a model, under random interleavings of calls that start, finish, are
 * cancelled by their callers (running or queued), time out while queued, and limits that change:
 * the permits in flight are always exactly the calls whose inner stage is still running, a
 * cancelled queued call never starts, and once everything has finished no permit and no waiter is
 * left.
 */
class BulkheadModelProperties {
  private static final int START = 0;
  private static final int FINISH = 1;
  private static final int FAIL = 2;
  private static final int CANCEL = 3;
  private static final int ADVANCE = 4;
  private static final int RECONFIGURE = 5;
  private static final int TAKE_AND_GIVE_BACK = 6;

  /** One asynchronous call: the future its caller holds and, once it started, its inner stage. */
  private static final class Call {
    CompletionStage<String> outer;
    CompletableFuture<String> inner; // null until the bulkhead starts it
    boolean cancelledBeforeStart;
  }

  @Property(tries = 500)
  void permitsInFlightAreExactlyTheRunningCallsAndNoneIsLeftAtTheEnd(
      @ForAll @Size(max = 150) List<@IntRange(min = 0, max = 6) Integer> actions,
      @ForAll @Size(min = 150, max = 150) List<@IntRange(min = 0, max = 1000) Integer> picks,
      @ForAll @IntRange(min = 1, max = 4) int max,
      @ForAll @IntRange(min = 0, max = 3) int maxWaitSeconds) {
    ManualClock clock = ManualClock.nearOverflow();
    ManualScheduler scheduler = new ManualScheduler(clock);
    Bulkhead bulkhead = Bulkhead.of("model", config(max, maxWaitSeconds), clock, scheduler);
    List<Call> calls = new ArrayList<>();

    for (int step = 0; step < actions.size(); step++) {
      int pick = picks.get(step);
      switch (actions.get(step)) {
        case START:
          Call call = new Call();
          call.outer =
              bulkhead.callAsync(
                  () -> {
                    assertThat(call.cancelledBeforeStart)
                        .as("a call cancelled while queued never starts")
                        .isFalse();
                    call.inner = new CompletableFuture<>();
                    return call.inner;
                  });
          calls.add(call);
          break;
        case FINISH:
        case FAIL:
          List<Call> running = running(calls);
          if (!running.isEmpty()) {
            Call c = running.get(pick % running.size());
            if (actions.get(step) == FAIL) {
              c.inner.completeExceptionally(new IllegalStateException("failed"));
            } else {
              c.inner.complete("done");
            }
          }
          break;
        case CANCEL:
          if (!calls.isEmpty()) {
            Call c = calls.get(pick % calls.size());
            if (c.inner == null && !c.outer.toCompletableFuture().isDone()) {
              c.cancelledBeforeStart = true;
            }
            c.outer.toCompletableFuture().cancel(true);
          }
          break;
        case ADVANCE:
          scheduler.advance(Duration.ofMillis(250L * (pick % 8)));
          break;
        case RECONFIGURE:
          bulkhead.reconfigure(config(1 + pick % 4, pick % 4));
          break;
        case TAKE_AND_GIVE_BACK:
          if (bulkhead.tryAcquirePermission()) {
            assertThat(bulkhead.snapshot().inFlight()).isEqualTo(running(calls).size() + 1);
            bulkhead.releasePermission();
          }
          break;
        default:
          throw new AssertionError(actions.get(step));
      }
      Bulkhead.Snapshot snapshot = bulkhead.snapshot();
      assertThat(snapshot.inFlight())
          .as("permits in flight after step %d", step)
          .isEqualTo(running(calls).size());
      assertThat(snapshot.waitingCalls()).isEqualTo(queued(calls));
    }

    // Everything finishes: running calls complete, queued ones are granted or time out.
    for (int round = 0; round < 100 && !allDone(calls); round++) {
      running(calls).forEach(c -> c.inner.complete("done"));
      scheduler.advance(Duration.ofSeconds(4));
    }
    assertThat(allDone(calls)).as("every call ended").isTrue();
    assertThat(bulkhead.snapshot().inFlight()).isZero();
    assertThat(bulkhead.snapshot().waitingCalls()).isZero();
    assertThat(scheduler.pendingTasks()).isZero();
  }

  private static BulkheadConfig config(int max, int maxWaitSeconds) {
    return BulkheadConfig.builder()
        .maxConcurrentCalls(max)
        .maxWait(Duration.ofSeconds(maxWaitSeconds))
        .build();
  }

  private static List<Call> running(List<Call> calls) {
    List<Call> running = new ArrayList<>();
    for (Call c : calls) {
      if (c.inner != null && !c.inner.isDone()) {
        running.add(c);
      }
    }
    return running;
  }

  private static int queued(List<Call> calls) {
    int queued = 0;
    for (Call c : calls) {
      if (c.inner == null && !c.outer.toCompletableFuture().isDone()) {
        queued++;
      }
    }
    return queued;
  }

  private static boolean allDone(List<Call> calls) {
    for (Call c : calls) {
      if (!c.outer.toCompletableFuture().isDone() || (c.inner != null && !c.inner.isDone())) {
        return false;
      }
    }
    return true;
  }
}
