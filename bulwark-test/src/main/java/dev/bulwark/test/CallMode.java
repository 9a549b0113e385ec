package dev.bulwark.test;

import dev.bulwark.policy.Pipeline;
import dev.bulwark.policy.Policy;
import java.util.Objects;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

/**
 * The ways a call can go through a pipeline, so one scenario runs in each of them with the same
 * expectations: use it as the source of a parameterized test.
 *
 * {@snippet :
 * @ParameterizedTest
 * @EnumSource(CallMode.class)
 * void opensAfterThreeFailures(CallMode mode) throws Exception {
 *   assertThatThrownBy(() -> mode.call(breaker, scheduler, failing)).isInstanceOf(IOException.class);
 * }
 * }
 *
 * <p>Thread-safe.
 */
public enum CallMode {
  /** {@link Pipeline#call} on the test's thread. */
  SYNC {
    @Override
    <T> T invoke(Pipeline pipeline, ManualScheduler scheduler, Callable<T> call) throws Exception {
      return pipeline.call(call);
    }
  },

  /**
   * {@link Pipeline#callAsync} of a call that completes its stage at once; the test's thread then
   * runs scheduled tasks until the stage completes.
   */
  ASYNC {
    @Override
    <T> T invoke(Pipeline pipeline, ManualScheduler scheduler, Callable<T> call) throws Exception {
      CompletableFuture<T> result = pipeline.callAsync(() -> completed(call)).toCompletableFuture();
      while (!result.isDone()) {
        if (scheduler.pendingTasks() == 0) {
          throw new AssertionError(
              "the asynchronous call never completed and nothing is scheduled");
        }
        scheduler.runAll();
      }
      try {
        return result.join();
      } catch (CompletionException e) {
        throw rethrow(causeOf(e));
      }
    }
  },

  /**
   * {@link Pipeline#call} on a virtual thread (on JDK 21 or newer; on older JDKs, a platform
   * thread), joined by the test's thread.
   */
  VIRTUAL_THREAD {
    @Override
    <T> T invoke(Pipeline pipeline, ManualScheduler scheduler, Callable<T> call) throws Exception {
      ExecutorService executor = VirtualThreads.newExecutor();
      try {
        Future<T> future = executor.submit(() -> pipeline.call(call));
        try {
          return future.get(30, TimeUnit.SECONDS);
        } catch (ExecutionException e) {
          throw rethrow(causeOf(e));
        }
      } finally {
        executor.shutdownNow();
      }
    }
  };

  /**
   * Runs {@code call} through {@code pipeline} in this mode and returns its value or throws what it
   * failed with, unwrapped.
   */
  public <T> T call(Pipeline pipeline, ManualScheduler scheduler, Callable<T> call)
      throws Exception {
    Objects.requireNonNull(pipeline, "pipeline");
    Objects.requireNonNull(scheduler, "scheduler");
    Objects.requireNonNull(call, "call");
    return invoke(pipeline, scheduler, call);
  }

  /** Runs {@code call} under {@code policy} alone in this mode. */
  public <T> T call(Policy policy, ManualScheduler scheduler, Callable<T> call) throws Exception {
    return call(Pipeline.of(policy), scheduler, call);
  }

  abstract <T> T invoke(Pipeline pipeline, ManualScheduler scheduler, Callable<T> call)
      throws Exception;

  private static <T> CompletionStage<T> completed(Callable<T> call) {
    try {
      return CompletableFuture.completedFuture(call.call());
    } catch (Exception e) {
      return CompletableFuture.failedFuture(e);
    }
  }

  /** What the call threw: the cause of a future's wrapper (the wrapper itself if it has none). */
  private static Throwable causeOf(Exception e) {
    Throwable cause = e.getCause();
    return cause != null ? cause : e;
  }

  private static Exception rethrow(Throwable failure) {
    if (failure instanceof Error) {
      throw (Error) failure;
    }
    return (Exception) failure;
  }

  /** Virtual threads through reflection, so the kit compiles for Java 17 and uses them on 21+. */
  static final class VirtualThreads {
    private VirtualThreads() {}

    static boolean available() {
      try {
        Executors.class.getMethod("newVirtualThreadPerTaskExecutor");
        return true;
      } catch (NoSuchMethodException e) {
        return false;
      }
    }

    static ExecutorService newExecutor() {
      try {
        return (ExecutorService)
            Executors.class.getMethod("newVirtualThreadPerTaskExecutor").invoke(null);
      } catch (ReflectiveOperationException e) {
        return Executors.newSingleThreadExecutor();
      }
    }
  }
}
