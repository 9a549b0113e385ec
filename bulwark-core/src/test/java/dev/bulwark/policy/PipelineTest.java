package dev.bulwark.policy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;

class PipelineTest {

  /** Records the order in which policies see a call and its outcome. */
  static final class Tracing implements Policy {
    private final String name;
    private final List<String> trace;

    Tracing(String name, List<String> trace) {
      this.name = name;
      this.trace = trace;
    }

    @Override
    public String name() {
      return name;
    }

    @Override
    public <T> T execute(Callable<T> call, Next next) throws Exception {
      trace.add(name + ">");
      try {
        return next.proceed(call);
      } finally {
        trace.add("<" + name);
      }
    }

    @Override
    public <T> CompletionStage<T> executeAsync(Supplier<CompletionStage<T>> call, AsyncNext next) {
      trace.add(name + ">");
      return next.proceed(call).whenComplete((v, e) -> trace.add("<" + name));
    }
  }

  @Test
  void policiesSeeTheCallOutermostFirstAndTheOutcomeInnermostFirst() throws Exception {
    List<String> trace = new ArrayList<>();
    Pipeline pipeline = Pipeline.of(new Tracing("a", trace), new Tracing("b", trace));

    String value =
        pipeline.call(
            () -> {
              trace.add("call");
              return "ok";
            });

    assertThat(value).isEqualTo("ok");
    assertThat(trace).containsExactly("a>", "b>", "call", "<b", "<a");
    assertThat(pipeline).hasToString("Pipeline[a > b]");
  }

  @Test
  void asynchronousCallsFlowInTheSameOrder() {
    List<String> trace = new ArrayList<>();
    Pipeline pipeline = Pipeline.of(new Tracing("a", trace), new Tracing("b", trace));

    String value =
        pipeline
            .callAsync(() -> CompletableFuture.completedFuture("ok"))
            .toCompletableFuture()
            .join();

    assertThat(value).isEqualTo("ok");
    assertThat(trace).containsExactly("a>", "b>", "<b", "<a");
  }

  @Test
  void aCheckedExceptionFromTheCallReachesTheCallerUnwrapped() {
    IOException failure = new IOException("connection reset");
    Pipeline pipeline = Pipeline.of(new Tracing("a", new ArrayList<>()));

    assertThatThrownBy(
            () ->
                pipeline.call(
                    () -> {
                      throw failure;
                    }))
        .isSameAs(failure);
  }

  @Test
  void anAsyncSupplierThatThrowsCompletesTheStageExceptionallyInsteadOfThrowing() {
    IllegalStateException failure = new IllegalStateException("boom");
    Pipeline pipeline = Pipeline.of(new Tracing("a", new ArrayList<>()));

    CompletionStage<String> stage =
        pipeline.callAsync(
            () -> {
              throw failure;
            });

    assertThatThrownBy(() -> stage.toCompletableFuture().join())
        .isInstanceOf(CompletionException.class)
        .hasCause(failure);
  }

  @Test
  void anEmptyPipelineRunsTheCallAsItIs() throws Exception {
    assertThat(Pipeline.of().call(() -> 42)).isEqualTo(42);
    assertThat(Pipeline.of().get(() -> 43)).isEqualTo(43);
    int[] ran = {0};
    Pipeline.of().run(() -> ran[0]++);
    assertThat(ran[0]).isEqualTo(1);
    assertThat(Pipeline.of().decorate(() -> 44).call()).isEqualTo(44);
  }

  @Test
  void aRuntimeExceptionFromASupplierPassesThroughUnwrapped() {
    IllegalStateException failure = new IllegalStateException("boom");
    assertThatThrownBy(
            () ->
                Pipeline.of()
                    .get(
                        () -> {
                          throw failure;
                        }))
        .isSameAs(failure);
  }

  @Test
  void thePipelineNamesABadPolicyList() {
    Tracing a = new Tracing("a", new ArrayList<>());
    assertThatThrownBy(() -> Pipeline.of(a, null))
        .isInstanceOf(NullPointerException.class)
        .hasMessage("policies[1] must not be null");
    assertThatThrownBy(() -> Pipeline.of(a, a))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("policies[1] (a) is already in the pipeline");
  }

  @Test
  void thePolicyListCannotBeChangedAfterBuilding() {
    Pipeline pipeline = Pipeline.of(new Tracing("a", new ArrayList<>()));
    assertThatThrownBy(() -> pipeline.policies().clear())
        .isInstanceOf(UnsupportedOperationException.class);
  }
}
