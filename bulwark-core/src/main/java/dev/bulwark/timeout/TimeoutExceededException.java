package dev.bulwark.timeout;

import dev.bulwark.internal.Check;
import dev.bulwark.policy.RejectedException;
import java.time.Duration;
import org.jspecify.annotations.Nullable;

/**
 * A call did not finish within its time limit and was cut short (the calling thread interrupted, or
 * the asynchronous work cancelled). Unlike other rejections, it usually means the remote side is
 * slow: circuit breakers count it as a failure and retries retry it.
 *
 * <p>Thread-safe (immutable once thrown).
 */
public class TimeoutExceededException extends RejectedException {
  private static final long serialVersionUID = 1L;

  private final long timeoutNanos;

  /**
   * A call under {@code policyName} exceeded {@code timeout}.
   *
   * @throws NullPointerException if an argument is null
   */
  public TimeoutExceededException(String policyName, Duration timeout) {
    this(policyName, timeout, null);
  }

  /**
   * A call under {@code policyName} exceeded {@code timeout}; {@code cause} is what the call threw
   * once cut short (for example the {@code InterruptedException}), or null.
   *
   * @throws NullPointerException if {@code policyName} or {@code timeout} is null
   */
  public TimeoutExceededException(String policyName, Duration timeout, @Nullable Throwable cause) {
    super(
        Check.notNull("policyName", policyName),
        policyName + ": call did not finish within " + Check.notNull("timeout", timeout),
        -1,
        cause);
    this.timeoutNanos = timeout.toNanos();
  }

  /** The limit the call exceeded. */
  public Duration timeout() {
    return Duration.ofNanos(timeoutNanos);
  }
}
