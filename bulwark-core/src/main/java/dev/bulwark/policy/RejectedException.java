package dev.bulwark.policy;

import java.time.Duration;
import java.util.Optional;
import org.jspecify.annotations.Nullable;

/**
 * A policy refused to run a call: an open breaker, a full bulkhead, an exhausted rate limit, a
 * deadline passed. Says which policy refused ({@link #policyName()}) and, where the policy knows,
 * when a call may pass again ({@link #retryAfter()}).
 *
 * <p>Each policy throws its own subclass, named {@code <Policy><Why>Exception}. Rejections carry no
 * stack trace by default: they are flow control, thrown often under load, and the message names the
 * culprit.
 *
 * <p>Thread-safe (immutable once thrown).
 */
public abstract class RejectedException extends BulwarkException {
  private static final long serialVersionUID = 1L;

  private static final long UNKNOWN = -1;
  private final long retryAfterNanos;

  /**
   * A rejection by {@code policyName}.
   *
   * @param retryAfterNanos how long until a call may pass, or a negative number if unknown
   */
  protected RejectedException(String policyName, @Nullable String message, long retryAfterNanos) {
    this(policyName, message, retryAfterNanos, null);
  }

  /** A rejection by {@code policyName} caused by {@code cause}. */
  protected RejectedException(
      String policyName,
      @Nullable String message,
      long retryAfterNanos,
      @Nullable Throwable cause) {
    super(policyName, message, cause, false);
    this.retryAfterNanos = retryAfterNanos < 0 ? UNKNOWN : retryAfterNanos;
  }

  /** How long from the rejection until a call may pass again, if the policy knows. */
  public Optional<Duration> retryAfter() {
    return retryAfterNanos < 0 ? Optional.empty() : Optional.of(Duration.ofNanos(retryAfterNanos));
  }

  /** {@link #retryAfter()} in nanoseconds, or -1 if unknown; for code that must not allocate. */
  public long retryAfterNanos() {
    return retryAfterNanos;
  }
}
