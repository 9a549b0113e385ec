package dev.bulwark.hedge;

import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Supplier;

/** An asynchronous call whose every attempt is a future the test completes by hand. */
final class Attempts<T> implements Supplier<CompletionStage<T>> {
  private final List<CompletableFuture<T>> started = new CopyOnWriteArrayList<>();

  @Override
  public CompletionStage<T> get() {
    CompletableFuture<T> attempt = new CompletableFuture<>();
    started.add(attempt);
    return attempt;
  }

  /** The future the supplier returned for attempt {@code index} (0 = the primary). */
  CompletableFuture<T> attempt(int index) {
    return started.get(index);
  }

  int count() {
    return started.size();
  }
}
