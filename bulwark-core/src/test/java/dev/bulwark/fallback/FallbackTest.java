package dev.bulwark.fallback;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.bulwark.bulkhead.BulkheadFullException;
import dev.bulwark.event.FallbackServed;
import dev.bulwark.policy.Pipeline;
import dev.bulwark.test.CallMode;
import dev.bulwark.test.ManualClock;
import dev.bulwark.test.ManualScheduler;
import dev.bulwark.timeout.TimeoutExceededException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.MethodSource;

class FallbackTest {
  private final ManualClock clock = ManualClock.nearOverflow();
  private final ManualScheduler scheduler = new ManualScheduler(clock);

  private Fallback<String> withValue() {
    return Fallback.of(
        "profile",
        FallbackConfig.<String>builder().otherwise("default", failure -> "anonymous").build(),
        clock);
  }

  static Stream<Exception> remoteFailures() {
    return Stream.of(
        new IOException("connection reset"),
        new UncheckedIOException(new IOException("broken pipe")),
        new TimeoutExceededException("slow", Duration.ofSeconds(1)),
        new BulkheadFullException("pool", 10, 0));
  }

  static Stream<Exception> programmingErrors() {
    return Stream.of(
        new IllegalArgumentException("bad id"),
        new NullPointerException("user"),
        new IllegalStateException("not started"),
        new UnsupportedOperationException("todo"));
  }

  @ParameterizedTest
  @MethodSource("remoteFailures")
  void servesTheFallbackForRejectionsTimeoutsAndIoErrorsByDefault(Exception failure)
      throws Exception {
    for (CallMode mode : CallMode.values()) {
      Fallback<String> fallback = withValue();
      String value =
          mode.call(
              fallback,
              scheduler,
              () -> {
                throw failure;
              });
      assertThat(value).as(mode.name()).isEqualTo("anonymous");
      assertThat(fallback.snapshot().served()).isEqualTo(1);
    }
  }

  @ParameterizedTest
  @MethodSource("programmingErrors")
  void programmingErrorsPassThroughUnwrappedAndAreNotServed(Exception bug) {
    for (CallMode mode : CallMode.values()) {
      Fallback<String> fallback = withValue();
      assertThatThrownBy(
              () ->
                  mode.call(
                      fallback,
                      scheduler,
                      () -> {
                        throw bug;
                      }))
          .as(mode.name())
          .isSameAs(bug);
      assertThat(fallback.snapshot().served()).isZero();
    }
  }

  @ParameterizedTest
  @EnumSource(CallMode.class)
  void aSuccessfulCallIsReturnedAsItIsAndNotCounted(CallMode mode) throws Exception {
    Fallback<String> fallback = withValue();

    assertThat(mode.call(fallback, scheduler, () -> "alice")).isEqualTo("alice");
    assertThat(fallback.snapshot()).isEqualTo(new Fallback.Snapshot(0));
  }

  @Test
  void eachSourceServesItsValue() throws Exception {
    IOException failure = new IOException("down");
    AtomicReference<Throwable> seen = new AtomicReference<>();
    Fallback<String> value = Fallback.toValue("a", "constant");
    Fallback<String> supplier = Fallback.toSupplier("b", () -> "supplied");
    Fallback<String> function =
        Fallback.of(
            "c",
            (Throwable t) -> {
              seen.set(t);
              return "computed from " + t.getMessage();
            });

    assertThat(
            value.<String>call(
                () -> {
                  throw failure;
                }))
        .isEqualTo("constant");
    assertThat(
            supplier.<String>call(
                () -> {
                  throw failure;
                }))
        .isEqualTo("supplied");
    assertThat(
            function.<String>call(
                () -> {
                  throw failure;
                }))
        .isEqualTo("computed from down");
    assertThat(seen.get()).isSameAs(failure);
    assertThat(value.config().rungs()).containsExactly("fallback");
  }

  @Test
  void handleReplacesTheDefaultFailureTypes() throws Exception {
    Fallback<String> fallback =
        Fallback.of(
            "f",
            FallbackConfig.<String>builder()
                .otherwise("default", t -> "served")
                .handle(IllegalStateException.class)
                .build());
    IOException io = new IOException("no longer handled");

    assertThat(
            fallback.<String>call(
                () -> {
                  throw new IllegalStateException("asked for");
                }))
        .isEqualTo("served");
    assertThatThrownBy(
            () ->
                fallback.call(
                    () -> {
                      throw io;
                    }))
        .isSameAs(io);
    assertThat(fallback.config().handledTypes()).containsExactly(IllegalStateException.class);
  }

  @Test
  void handleIfStepsInForFailuresMatchingThePredicate() throws Exception {
    Fallback<String> fallback =
        Fallback.of(
            "f",
            FallbackConfig.<String>builder()
                .otherwise("default", t -> "served")
                .handleIf(t -> t.getMessage().contains("503"))
                .build());

    assertThat(
            fallback.<String>call(
                () -> {
                  throw new IllegalStateException("HTTP 503");
                }))
        .isEqualTo("served");
    assertThatThrownBy(
            () ->
                fallback.call(
                    () -> {
                      throw new IOException("HTTP 500: only the predicate decides now");
                    }))
        .isInstanceOf(IOException.class);
    assertThat(fallback.config().handledTypes()).isEmpty();
  }

  @ParameterizedTest
  @EnumSource(CallMode.class)
  void handleResultReplacesAResultAndPublishesItWithoutAFailure(CallMode mode) throws Exception {
    List<FallbackServed> served = new CopyOnWriteArrayList<>();
    Fallback<String> fallback =
        Fallback.of(
            "f",
            FallbackConfig.<String>builder()
                .otherwise("default", t -> "replacement")
                .handleResult(value -> "".equals(value))
                .build(),
            clock);
    fallback.events().subscribe(FallbackServed.class, served::add);

    assertThat(mode.call(fallback, scheduler, () -> "")).isEqualTo("replacement");
    assertThat(mode.call(fallback, scheduler, () -> "kept")).isEqualTo("kept");

    assertThat(served).singleElement().satisfies(e -> assertThat(e.failure()).isNull());
  }

  @ParameterizedTest
  @EnumSource(CallMode.class)
  void aServedFallbackIsPublishedWithTheFailureAndTheRung(CallMode mode) throws Exception {
    List<FallbackServed> served = new CopyOnWriteArrayList<>();
    Fallback<String> fallback = withValue();
    fallback.events().subscribe(FallbackServed.class, served::add);
    IOException failure = new IOException("down");

    String value =
        mode.call(
            fallback,
            scheduler,
            () -> {
              throw failure;
            });

    assertThat(value).isEqualTo("anonymous");
    assertThat(served)
        .singleElement()
        .isEqualTo(new FallbackServed("profile", "default", failure, null, clock.wallTime()));
  }

  @Test
  void anAsynchronousFailureWrappedInACompletionExceptionIsStillRecognised() {
    Fallback<String> fallback = withValue();
    CompletableFuture<String> failed =
        CompletableFuture.failedFuture(new CompletionException(new IOException("down")));

    assertThat(fallback.callAsync(() -> failed).toCompletableFuture().join())
        .isEqualTo("anonymous");
  }

  @Test
  void anAsynchronousProgrammingErrorCompletesTheStageWithIt() {
    Fallback<String> fallback = withValue();
    IllegalArgumentException bug = new IllegalArgumentException("bad id");

    assertThatThrownBy(
            () ->
                fallback
                    .callAsync(() -> CompletableFuture.<String>failedFuture(bug))
                    .toCompletableFuture()
                    .join())
        .hasCause(bug);
  }

  @Test
  void insideAPipelineTheValueIsCastToTheCallsType() throws Exception {
    Fallback<Integer> count = Fallback.toValue("count", 0);
    Pipeline pipeline = Pipeline.of(count);

    Integer value =
        pipeline.call(
            () -> {
              throw new IOException("down");
            });

    assertThat(value).isZero();
  }

  @Test
  void aBadConfigurationFailsWithAMessageNamingTheProblem() {
    assertThatThrownBy(() -> FallbackConfig.<String>builder().build())
        .isInstanceOf(IllegalStateException.class)
        .hasMessage("rungs must not be empty: add then(...), thenAged(...) or otherwise(...)");
    assertThatThrownBy(
            () -> FallbackConfig.<String>builder().then("cache", t -> "a").then("cache", t -> "b"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("rung 'cache' is already in the ladder");
    assertThatThrownBy(
            () ->
                FallbackConfig.<String>builder().otherwise("none", t -> "a").then("late", t -> "b"))
        .hasMessage(
            "rung 'late' comes after otherwise('none'), which always serves; otherwise(...) must"
                + " be the last rung");
    assertThatThrownBy(() -> FallbackConfig.<String>builder().then("fresh", t -> "a"))
        .hasMessage("rung must not be 'fresh': that names the call's own value");
    assertThatThrownBy(() -> FallbackConfig.<String>builder().then(" ", t -> "a"))
        .hasMessage("rung must not be blank");
    assertThatThrownBy(() -> FallbackConfig.<String>builder().handle())
        .hasMessage("types must name at least one failure type");
    assertThatThrownBy(() -> FallbackConfig.<String>builder().handle(IOException.class, null))
        .isInstanceOf(NullPointerException.class)
        .hasMessage("types[1] must not be null");
    assertThatThrownBy(() -> Fallback.toSupplier("f", null))
        .hasMessage("supplier must not be null");
    assertThatThrownBy(() -> Fallback.toValue("", "x")).hasMessage("name must not be blank");
  }

  @Test
  void toBuilderKeepsTheLadderAndTheHandling() {
    FallbackConfig<String> config =
        FallbackConfig.<String>builder()
            .then("cache", t -> null)
            .otherwise("default", t -> "x")
            .handle(IOException.class)
            .build();

    FallbackConfig<String> copy = config.toBuilder().build();

    assertThat(copy.rungs()).containsExactly("cache", "default");
    assertThat(copy.handledTypes()).containsExactly(IOException.class);
    assertThat(copy.handles(new IOException())).isTrue();
    assertThat(copy.handles(new TimeoutExceededException("t", Duration.ofSeconds(1)))).isFalse();
  }
}
