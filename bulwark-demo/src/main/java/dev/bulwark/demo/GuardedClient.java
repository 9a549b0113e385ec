package dev.bulwark.demo;

import dev.bulwark.Pipeline;
import dev.bulwark.RejectedException;
import java.util.Objects;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.LongAdder;

/**
 * The protected client: every request goes through a Bulwark {@link Pipeline}; when the pipeline
 * fails (the breaker is open, or the call failed after its retries), the user gets the last known
 * good value instead of an error, if there is one.
 *
 * <p>Thread-safe.
 */
public final class GuardedClient implements InventoryClient {
  private final Pipeline pipeline;
  private final Callable<Stock> call;
  private final LastKnownGood<Stock> cache = new LastKnownGood<>();
  private final LongAdder rejected = new LongAdder();

  /** A client that calls {@code service} through {@code pipeline}. */
  public GuardedClient(FlakyService service, Pipeline pipeline) {
    Objects.requireNonNull(service, "service");
    this.pipeline = Objects.requireNonNull(pipeline, "pipeline");
    this.call = service::fetch;
  }

  @Override
  public Answer fetch() {
    try {
      cache.remember(pipeline.call(call));
      return Answer.FRESH;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return Answer.FAILED;
    } catch (Exception e) {
      if (e instanceof RejectedException) {
        rejected.increment();
      }
      return cache.get().isPresent() ? Answer.FALLBACK : Answer.FAILED;
    }
  }

  /** Requests a policy refused without calling the service (an open breaker, mostly). */
  public long rejected() {
    return rejected.sum();
  }
}
