package dev.bulwark.fallback;

import dev.bulwark.internal.Check;
import java.time.Duration;
import java.util.Optional;
import org.jspecify.annotations.Nullable;

/**
 * What a {@link Fallback} handed to its caller: the value, which rung of the ladder served it, how
 * old it is, and the failure that made the fallback step in.
 *
 * <p>The call's own value is served by the rung {@link #FRESH}, age zero, failure null; any other
 * rung means the value is {@linkplain #isDegraded() degraded}.
 *
 * <p>Immutable if {@code value} is; thread-safe.
 *
 * @param value the value served, may be null
 * @param rung the name of the rung that served it, {@link #FRESH} for the call itself
 * @param age how old the value is, empty if its rung does not know
 * @param failure what the call threw, or null if it returned (a fresh value, or a result the
 *     fallback was told to replace)
 * @param <T> the value's type
 */
public record Served<T>(T value, String rung, Optional<Duration> age, @Nullable Throwable failure) {

  /** The rung name of a value the call itself returned. */
  public static final String FRESH = "fresh";

  /**
   * Checks the components: {@code value} and {@code failure} may be null, the others may not.
   *
   * @throws NullPointerException if {@code rung} or {@code age} is null
   */
  public Served {
    Check.notNull("rung", rung);
    Check.notNull("age", age);
  }

  /** True unless the call itself produced the value: a rung of the fallback served it. */
  public boolean isDegraded() {
    return !FRESH.equals(rung);
  }

  static <T> Served<T> fresh(T value) {
    return new Served<>(value, FRESH, Optional.of(Duration.ZERO), null);
  }
}
