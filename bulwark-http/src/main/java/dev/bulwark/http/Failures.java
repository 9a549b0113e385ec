package dev.bulwark.http;

import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;

/** Failures seen through the JDK client's futures. */
final class Failures {
  private Failures() {}

  /**
   * The failure the exchange really ended with: {@code CompletionException} and {@code
   * ExecutionException} wrappers added by futures are peeled off.
   */
  static Throwable unwrap(Throwable failure) {
    Throwable t = failure;
    while ((t instanceof CompletionException || t instanceof ExecutionException)
        && t.getCause() != null) {
      t = t.getCause();
    }
    return t;
  }
}
