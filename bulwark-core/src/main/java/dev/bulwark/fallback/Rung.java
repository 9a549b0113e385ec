package dev.bulwark.fallback;

import java.util.Optional;
import java.util.function.Function;
import org.jspecify.annotations.Nullable;

/** One step of a fallback ladder: a name and a source that may have nothing to give. */
final class Rung<T> {
  enum Kind {
    /** null means nothing here: try the next rung. */
    PLAIN,
    /** An {@link Aged} value, or null for nothing. */
    AGED,
    /** The last resort: whatever it returns is served, null included. */
    FINAL
  }

  final String name;
  final Kind kind;
  private final Function<? super Throwable, ?> source;

  Rung(String name, Kind kind, Function<? super Throwable, ?> source) {
    this.name = name;
    this.kind = kind;
    this.source = source;
  }

  /** What this rung serves after {@code failure} (null if a result was replaced), or null. */
  @SuppressWarnings("unchecked") // the builder only accepts sources of T or Aged<? extends T>
  @Nullable Served<T> serve(@Nullable Throwable failure) {
    Object got = source.apply(failure);
    switch (kind) {
      case PLAIN:
        return got == null ? null : new Served<>((T) got, name, Optional.empty(), failure);
      case AGED:
        if (got == null) {
          return null;
        }
        Aged<? extends T> aged = (Aged<? extends T>) got;
        return new Served<>(aged.value(), name, Optional.of(aged.age()), failure);
      default:
        return new Served<>((T) got, name, Optional.empty(), failure);
    }
  }
}
