package dev.bulwark.internal;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.BiConsumer;
import org.jspecify.annotations.Nullable;

/**
 * The future a policy hands back for an asynchronous call: it completes with the outcome of the
 * stage it relays (the rest of the pipeline), and cancelling it cancels that stage, so cancellation
 * travels from the caller through every policy to the call inside.
 *
 * <p>Why a future of its own rather than {@code stage.whenComplete(bookkeeping)}: a caller who
 * cancels the dependent stage that {@code whenComplete} returns completes it, and {@code
 * CompletableFuture} then skips the dependent's action when the stage completes; the bookkeeping (a
 * bulkhead's permit, a breaker's outcome) would be lost. A policy therefore attaches its
 * bookkeeping to the inner stage, where nobody else can complete it first, and relays the outcome
 * here with {@link #relay}.
 *
 * <p>Cancellation ({@link #cancel}, or {@link #completeExceptionally} with a {@code
 * CancellationException}) that wins the completion calls {@link #cancelled()} once, then cancels
 * the {@link #upstream(CompletionStage) upstream} stage; whichever of {@code upstream(...)} and the
 * cancellation comes second sees the other (volatile write, then volatile read, on both sides), so
 * a stage linked while the cancellation runs is still cancelled.
 *
 * <p>Not API: may change any day. Thread-safe.
 *
 * @param <T> the call's result type
 */
public class Relay<T> extends CompletableFuture<T> implements BiConsumer<T, Throwable> {
  private static final VarHandle UPSTREAM;
  private static final VarHandle CANCEL_SEEN;

  static {
    try {
      MethodHandles.Lookup lookup = MethodHandles.lookup();
      UPSTREAM = lookup.findVarHandle(Relay.class, "upstream", CompletionStage.class);
      CANCEL_SEEN = lookup.findVarHandle(Relay.class, "cancelSeen", boolean.class);
    } catch (ReflectiveOperationException e) {
      throw new ExceptionInInitializerError(e);
    }
  }

  @SuppressWarnings("UnusedVariable") // read and written through UPSTREAM
  private volatile @Nullable CompletionStage<?> upstream;

  @SuppressWarnings("UnusedVariable") // read and written through CANCEL_SEEN
  private volatile boolean cancelSeen;

  /** A relay with no upstream yet. */
  public Relay() {}

  /**
   * Makes cancellation reach {@code stage}: cancels it now if this relay was cancelled already.
   * Replaces the stage linked before (a retry links each attempt in turn).
   */
  public final void upstream(CompletionStage<?> stage) {
    UPSTREAM.setVolatile(this, stage);
    if (isCancelled()) {
      Stages.cancel(stage);
    }
  }

  /** Completes this relay with a stage's outcome ({@code failure} as given, not unwrapped). */
  public final boolean relay(@Nullable T value, @Nullable Throwable failure) {
    return failure == null ? super.complete(value) : super.completeExceptionally(failure);
  }

  /** Relays the upstream stage's outcome; lets a relay be the stage's completion handler. */
  @Override
  public void accept(T value, Throwable failure) {
    relay(value, failure);
  }

  @Override
  public boolean cancel(boolean mayInterruptIfRunning) {
    boolean cancelled = super.cancel(mayInterruptIfRunning);
    if (cancelled) {
      propagateCancel();
    }
    return cancelled;
  }

  @Override
  public boolean completeExceptionally(Throwable failure) {
    boolean completed = super.completeExceptionally(failure);
    if (completed && failure instanceof CancellationException) {
      propagateCancel();
    }
    return completed;
  }

  /**
   * Called once, on the cancelling thread, when the caller cancelled this relay before it
   * completed, and before the upstream stage is cancelled. Policies override it to undo a wait (a
   * queued call gives its place back). Must be short and must not throw.
   */
  protected void cancelled() {}

  private void propagateCancel() {
    if (!CANCEL_SEEN.compareAndSet(this, false, true)) {
      return; // cancel() reports true again once cancelled: the first report wins
    }
    try {
      cancelled();
    } finally {
      CompletionStage<?> stage = (CompletionStage<?>) UPSTREAM.getVolatile(this);
      if (stage != null) {
        Stages.cancel(stage);
      }
    }
  }
}
