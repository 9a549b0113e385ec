package dev.bulwark.bulkhead;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.bulwark.event.CallPermitted;
import dev.bulwark.event.CallRejected;
import dev.bulwark.event.PolicyEvent;
import dev.bulwark.policy.Pipeline;
import dev.bulwark.test.CallMode;
import dev.bulwark.test.ManualClock;
import dev.bulwark.test.ManualScheduler;
import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class BulkheadTest {
  private final ManualClock clock = ManualClock.nearOverflow();
  private final ManualScheduler scheduler = new ManualScheduler(clock);

  private Bulkhead bulkhead(int max) {
    return Bulkhead.of(
        "inventory", BulkheadConfig.builder().maxConcurrentCalls(max).build(), clock, scheduler);
  }

  @ParameterizedTest
  @EnumSource(CallMode.class)
  void rejectsACallAtTheLimitWithAnExceptionNamingTheBulkheadAndItsLimit(CallMode mode) {
    Bulkhead bulkhead = bulkhead(1);
    assertThat(bulkhead.tryAcquirePermission()).isTrue();

    assertThatThrownBy(() -> mode.call(bulkhead, scheduler, () -> "unreached"))
        .isInstanceOfSatisfying(
            BulkheadFullException.class,
            e -> {
              assertThat(e.policyName()).isEqualTo("inventory");
              assertThat(e.maxConcurrentCalls()).isEqualTo(1);
              assertThat(e.waited()).isEqualTo(Duration.ZERO);
              assertThat(e.retryAfter()).isEmpty();
              assertThat(e.retryAfterNanos()).isEqualTo(-1);
              assertThat(e)
                  .hasMessage(
                      "bulkhead 'inventory' is full: all 1 permits in use, rejected without"
                          + " waiting; a call may pass when a call in flight finishes");
            });
    assertThat(bulkhead.snapshot()).isEqualTo(new Bulkhead.Snapshot(1, 1, 0, 1));
  }

  @ParameterizedTest
  @EnumSource(CallMode.class)
  void holdsAPermitOnlyWhileTheCallRuns(CallMode mode) throws Exception {
    Bulkhead bulkhead = bulkhead(2);

    int inFlightDuringCall = mode.call(bulkhead, scheduler, () -> bulkhead.snapshot().inFlight());

    assertThat(inFlightDuringCall).isEqualTo(1);
    assertThat(bulkhead.snapshot().inFlight()).isZero();
    assertThat(bulkhead.snapshot().availablePermits()).isEqualTo(2);
  }

  @ParameterizedTest
  @EnumSource(CallMode.class)
  void givesThePermitBackExactlyOnceAfterAFailure(CallMode mode) throws Exception {
    Bulkhead bulkhead = bulkhead(1);
    IOException failure = new IOException("connection reset");

    for (int i = 0; i < 3; i++) {
      assertThatThrownBy(
              () ->
                  mode.call(
                      bulkhead,
                      scheduler,
                      () -> {
                        throw failure;
                      }))
          .isSameAs(failure);
    }

    assertThat(bulkhead.snapshot()).isEqualTo(new Bulkhead.Snapshot(1, 0, 0, 0));
    assertThat(mode.call(bulkhead, scheduler, () -> "ok")).isEqualTo("ok");
  }

  @Test
  void anAsynchronousCallHoldsItsPermitUntilItsStageCompletes() {
    Bulkhead bulkhead = bulkhead(1);
    CompletableFuture<String> work = new CompletableFuture<>();

    CompletionStage<String> first = bulkhead.callAsync(() -> work);
    CompletionStage<String> second =
        bulkhead.callAsync(() -> CompletableFuture.completedFuture("x"));

    assertThat(bulkhead.snapshot().inFlight()).isEqualTo(1);
    assertThatThrownBy(() -> second.toCompletableFuture().join())
        .hasCauseInstanceOf(BulkheadFullException.class);

    work.complete("done");

    assertThat(first.toCompletableFuture().join()).isEqualTo("done");
    assertThat(bulkhead.snapshot().inFlight()).isZero();
  }

  @Test
  void anAsynchronousFailureGivesThePermitBackOnce() {
    Bulkhead bulkhead = bulkhead(1);
    CompletableFuture<String> work = new CompletableFuture<>();
    CompletionStage<String> stage = bulkhead.callAsync(() -> work);

    work.completeExceptionally(new IOException("boom"));

    assertThatThrownBy(() -> stage.toCompletableFuture().join())
        .hasCauseInstanceOf(IOException.class);
    assertThat(bulkhead.snapshot().inFlight()).isZero();
    assertThat(bulkhead.tryAcquirePermission()).isTrue();
    assertThat(bulkhead.tryAcquirePermission()).isFalse();
  }

  @Test
  void anAsynchronousSupplierThatThrowsGivesThePermitBack() {
    Bulkhead bulkhead = bulkhead(1);
    IllegalStateException failure = new IllegalStateException("bug");

    CompletionStage<String> stage =
        Pipeline.of(bulkhead)
            .callAsync(
                () -> {
                  throw failure;
                });

    assertThatThrownBy(() -> stage.toCompletableFuture().join()).hasCause(failure);
    assertThat(bulkhead.snapshot().inFlight()).isZero();
  }

  @Test
  void standalonePermitsAreCountedExactly() throws Exception {
    Bulkhead bulkhead = bulkhead(2);

    assertThat(bulkhead.tryAcquirePermission()).isTrue();
    bulkhead.acquirePermission();
    assertThat(bulkhead.tryAcquirePermission()).isFalse();
    assertThatThrownBy(bulkhead::acquirePermission).isInstanceOf(BulkheadFullException.class);
    assertThat(bulkhead.snapshot()).isEqualTo(new Bulkhead.Snapshot(2, 2, 0, 2));

    bulkhead.releasePermission();
    bulkhead.releasePermission();

    assertThat(bulkhead.snapshot().availablePermits()).isEqualTo(2);
    assertThatThrownBy(bulkhead::releasePermission)
        .isInstanceOf(IllegalStateException.class)
        .hasMessage("bulkhead 'inventory': releasePermission() called without a permit held");
    assertThat(bulkhead.snapshot().inFlight()).isZero();
  }

  @Test
  void publishesAPermitAndARejectionOnlyToListeners() {
    Bulkhead bulkhead = bulkhead(1);
    List<PolicyEvent> events = new CopyOnWriteArrayList<>();
    bulkhead.events().subscribe(events::add);

    assertThat(bulkhead.tryAcquirePermission()).isTrue();
    assertThat(bulkhead.tryAcquirePermission()).isFalse();

    assertThat(events).hasSize(2);
    assertThat(events.get(0)).isInstanceOf(CallPermitted.class);
    assertThat(events.get(1))
        .isInstanceOfSatisfying(
            CallRejected.class,
            e -> {
              assertThat(e.policyName()).isEqualTo("inventory");
              assertThat(e.rejection()).isInstanceOf(BulkheadFullException.class);
              assertThat(e.wallTime()).isEqualTo(clock.wallTime());
            });
  }

  @Test
  void theDefaultsAreTwentyFivePermitsAndNoWaiting() {
    Bulkhead bulkhead = Bulkhead.ofDefaults("db");

    assertThat(bulkhead.name()).isEqualTo("db");
    assertThat(bulkhead.config().maxConcurrentCalls()).isEqualTo(25);
    assertThat(bulkhead.config().maxWait()).isEqualTo(Duration.ZERO);
    assertThat(bulkhead.snapshot()).isEqualTo(new Bulkhead.Snapshot(25, 0, 0, 0));
  }

  @Test
  void aBadConfigurationFailsWithAMessageNamingTheFieldAndRange() {
    assertThatThrownBy(() -> BulkheadConfig.builder().maxConcurrentCalls(0))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("maxConcurrentCalls must be in [1, 100000], was 0");
    assertThatThrownBy(() -> BulkheadConfig.builder().maxConcurrentCalls(100_001))
        .hasMessage("maxConcurrentCalls must be in [1, 100000], was 100001");
    assertThatThrownBy(() -> BulkheadConfig.builder().maxWait(Duration.ofMillis(-1)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("maxWait must be in [0, PT8760H], was PT-0.001S");
    assertThatThrownBy(() -> BulkheadConfig.builder().maxWait(null))
        .isInstanceOf(NullPointerException.class)
        .hasMessage("maxWait must not be null");
    assertThatThrownBy(() -> Bulkhead.of(" ", BulkheadConfig.ofDefaults()))
        .hasMessage("name must not be blank");
  }

  @Test
  void toBuilderKeepsEverySetting() {
    BulkheadConfig config =
        BulkheadConfig.builder().maxConcurrentCalls(7).maxWait(Duration.ofSeconds(3)).build();

    BulkheadConfig copy = config.toBuilder().build();

    assertThat(copy.maxConcurrentCalls()).isEqualTo(7);
    assertThat(copy.maxWait()).isEqualTo(Duration.ofSeconds(3));
    assertThat(copy).hasToString("BulkheadConfig[maxConcurrentCalls=7, maxWait=PT3S]");
  }

  @Test
  void anExceptionFromTheCallAfterItWasPermittedIsNotARejection() {
    Bulkhead bulkhead = bulkhead(1);
    IllegalArgumentException bug = new IllegalArgumentException("bad id");

    assertThatThrownBy(
            () ->
                bulkhead.call(
                    () -> {
                      throw bug;
                    }))
        .isSameAs(bug);
    assertThat(bulkhead.snapshot().rejectedCalls()).isZero();
  }
}
