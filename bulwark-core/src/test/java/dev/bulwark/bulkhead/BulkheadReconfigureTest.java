package dev.bulwark.bulkhead;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.bulwark.event.ConfigChanged;
import dev.bulwark.policy.Reconfigurable;
import dev.bulwark.test.ManualClock;
import dev.bulwark.test.ManualScheduler;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;

/** A bulkhead's limits change while calls run, and no permit is lost or revoked on the way. */
class BulkheadReconfigureTest {
  private final ManualClock clock = ManualClock.nearOverflow();
  private final ManualScheduler scheduler = new ManualScheduler(clock);
  private final List<CompletableFuture<String>> running = new ArrayList<>();
  private final Supplier<CompletionStage<String>> pending =
      () -> {
        CompletableFuture<String> call = new CompletableFuture<>();
        running.add(call);
        return call;
      };
  private final List<ConfigChanged> changes = new CopyOnWriteArrayList<>();

  private Bulkhead bulkhead(int max, Duration maxWait) {
    Bulkhead bulkhead = Bulkhead.of("stock", config(max, maxWait), clock, scheduler);
    bulkhead.events().subscribe(ConfigChanged.class, changes::add);
    return bulkhead;
  }

  private static BulkheadConfig config(int max, Duration maxWait) {
    return BulkheadConfig.builder().maxConcurrentCalls(max).maxWait(maxWait).build();
  }

  @Test
  void isReconfigurableAndReportsTheConfigurationInForce() {
    Bulkhead bulkhead = bulkhead(2, Duration.ZERO);
    Reconfigurable<BulkheadConfig> reconfigurable = bulkhead;

    reconfigurable.reconfigure(config(5, Duration.ofSeconds(1)));

    assertThat(bulkhead.config()).isEqualTo(config(5, Duration.ofSeconds(1)));
    assertThat(bulkhead.snapshot().maxConcurrentCalls()).isEqualTo(5);
  }

  @Test
  void aLargerLimitAdmitsWaitingCallsAtOnce() {
    Bulkhead bulkhead = bulkhead(1, Duration.ofSeconds(5));
    bulkhead.callAsync(pending);
    bulkhead.callAsync(pending);
    bulkhead.callAsync(pending);
    assertThat(running).hasSize(1);
    assertThat(bulkhead.snapshot().waitingCalls()).isEqualTo(2);

    bulkhead.reconfigure(config(3, Duration.ofSeconds(5)));

    assertThat(running).hasSize(3);
    assertThat(bulkhead.snapshot()).isEqualTo(new Bulkhead.Snapshot(3, 3, 0, 0));
    assertThat(scheduler.pendingTasks()).as("their deadlines are cancelled").isZero();
  }

  @Test
  void aSmallerLimitNeverRevokesRunningCallsAndAdmitsOnlyBelowIt() {
    Bulkhead bulkhead = bulkhead(3, Duration.ZERO);
    for (int i = 0; i < 3; i++) {
      bulkhead.callAsync(pending);
    }

    bulkhead.reconfigure(config(1, Duration.ZERO));

    assertThat(running).noneMatch(CompletableFuture::isDone);
    assertThat(bulkhead.snapshot().inFlight()).isEqualTo(3);
    assertThat(bulkhead.snapshot().availablePermits()).isZero();
    assertThat(bulkhead.tryAcquirePermission()).isFalse();
    running.get(0).complete("done");
    running.get(1).complete("done");
    assertThat(bulkhead.snapshot().inFlight()).isEqualTo(1);
    assertThat(bulkhead.tryAcquirePermission()).as("still at the new limit").isFalse();
    running.get(2).complete("done");
    assertThat(bulkhead.tryAcquirePermission()).isTrue();
    assertThat(bulkhead.tryAcquirePermission()).isFalse();
    bulkhead.releasePermission();
    assertThat(bulkhead.snapshot().inFlight()).isZero();
  }

  @Test
  void aSmallerLimitKeepsWaitersQueuedUntilEnoughCallsFinish() {
    Bulkhead bulkhead = bulkhead(2, Duration.ofSeconds(5));
    bulkhead.callAsync(pending);
    bulkhead.callAsync(pending);
    bulkhead.callAsync(pending); // waits

    bulkhead.reconfigure(config(1, Duration.ofSeconds(5)));
    running.get(0).complete("done");

    assertThat(running).hasSize(2);
    assertThat(bulkhead.snapshot().waitingCalls()).isEqualTo(1);
    running.get(1).complete("done");
    assertThat(running).hasSize(3);
    assertThat(bulkhead.snapshot()).isEqualTo(new Bulkhead.Snapshot(1, 1, 0, 0));
  }

  @Test
  void aNewMaxWaitAppliesToCallsThatStartWaitingAfterTheChange() {
    Bulkhead bulkhead = bulkhead(1, Duration.ZERO);
    bulkhead.callAsync(pending);
    assertThat(bulkhead.callAsync(pending)).isCompletedExceptionally();

    bulkhead.reconfigure(config(1, Duration.ofSeconds(2)));
    CompletableFuture<String> waiting = bulkhead.callAsync(pending).toCompletableFuture();
    assertThat(waiting).isNotDone();
    scheduler.advance(Duration.ofSeconds(2));

    assertThat(waiting)
        .failsWithin(Duration.ZERO)
        .withThrowableOfType(ExecutionException.class)
        .havingCause()
        .isInstanceOfSatisfying(
            BulkheadFullException.class,
            e -> assertThat(e.waited()).isEqualTo(Duration.ofSeconds(2)));
  }

  @Test
  void publishesOneEventPerChangeNamingWhatChanged() {
    Bulkhead bulkhead = bulkhead(2, Duration.ZERO);

    bulkhead.reconfigure(config(4, Duration.ofMillis(50)));
    bulkhead.reconfigure(config(4, Duration.ofMillis(50)));
    bulkhead.reconfigure(config(3, Duration.ofMillis(50)));

    assertThat(changes).hasSize(2);
    assertThat(changes.get(0).policyName()).isEqualTo("stock");
    assertThat(changes.get(0).changedSettings())
        .containsExactlyInAnyOrder("maxConcurrentCalls", "maxWait");
    assertThat(changes.get(1).changedSettings()).containsExactly("maxConcurrentCalls");
  }

  @Test
  void refusesANullConfiguration() {
    Bulkhead bulkhead = bulkhead(2, Duration.ZERO);

    assertThatThrownBy(() -> bulkhead.reconfigure(null))
        .isInstanceOf(NullPointerException.class)
        .hasMessage("config must not be null");
  }
}
