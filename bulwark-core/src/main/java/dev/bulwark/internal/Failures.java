package dev.bulwark.internal;

import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;

/** Helpers for failures seen through futures. Not API: may change any day. */
public final class Failures {
  private Failures() {}

  /**
   * The failure a call really threw: {@code CompletionException} and {@code ExecutionException}
   * wrappers added by futures are peeled off.
   */
  public static Throwable unwrap(Throwable failure) {
    Throwable t = failure;
    while ((t instanceof CompletionException || t instanceof ExecutionException)
        && t.getCause() != null) {
      t = t.getCause();
    }
    return t;
  }
}
