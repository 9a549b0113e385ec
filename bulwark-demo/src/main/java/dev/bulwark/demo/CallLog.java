package dev.bulwark.demo;

import java.util.Arrays;
import java.util.Objects;

/**
 * What one user saw: for each request, when it started (nanos since the run began), how long the
 * user waited for the answer, and the answer. Kept in plain growing arrays; no histogram library.
 *
 * <p>Not thread-safe: each user writes its own log; read the logs after the users are done.
 */
public final class CallLog {
  private long[] startNanos = new long[256];
  private long[] latencyNanos = new long[256];
  private Answer[] answers = new Answer[256];
  private int size;

  /** Records one request. */
  public void record(long startNanos, long latencyNanos, Answer answer) {
    Objects.requireNonNull(answer, "answer");
    if (size == answers.length) {
      int capacity = size * 2;
      this.startNanos = Arrays.copyOf(this.startNanos, capacity);
      this.latencyNanos = Arrays.copyOf(this.latencyNanos, capacity);
      this.answers = Arrays.copyOf(this.answers, capacity);
    }
    this.startNanos[size] = startNanos;
    this.latencyNanos[size] = latencyNanos;
    this.answers[size] = answer;
    size++;
  }

  /** How many requests were recorded. */
  public int size() {
    return size;
  }

  /** When request {@code i} started, in nanos since the run began. */
  public long startNanos(int i) {
    Objects.checkIndex(i, size);
    return startNanos[i];
  }

  /** How long the user waited for request {@code i}'s answer, in nanos. */
  public long latencyNanos(int i) {
    Objects.checkIndex(i, size);
    return latencyNanos[i];
  }

  /** What request {@code i} got. */
  public Answer answer(int i) {
    Objects.checkIndex(i, size);
    return answers[i];
  }
}
