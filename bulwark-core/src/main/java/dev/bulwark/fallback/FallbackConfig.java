package dev.bulwark.fallback;

import dev.bulwark.internal.Check;
import dev.bulwark.policy.RejectedException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.function.Function;
import java.util.function.Predicate;
import org.jspecify.annotations.Nullable;

/**
 * What a {@link Fallback} serves instead of a failed call, and which failures it steps in for.
 *
 * <p>The sources form a ladder, tried in order until one has something: for example a cached value
 * with its age, else the last value known, else an "unavailable" marker. A rung added with {@link
 * Builder#then then} or {@link Builder#thenAged thenAged} may have nothing (it returns null) and
 * the next one is tried; the rung added with {@link Builder#otherwise otherwise}, last, always
 * serves. If every rung has nothing, the call's failure reaches the caller.
 *
 * <p>By default a fallback steps in only for failures of the remote side: rejections by a policy
 * ({@link RejectedException}, which includes timeouts and open breakers) and I/O errors ({@link
 * IOException}, {@link UncheckedIOException}). Programming errors such as {@code
 * IllegalArgumentException} or {@code NullPointerException} pass through unless asked for with
 * {@link Builder#handle handle} or {@link Builder#handleIf handleIf}.
 *
 * {@snippet :
 * FallbackConfig<Quote> config =
 *     FallbackConfig.<Quote>builder()
 *         .thenAged("cache", failure -> cache.getWithAge(symbol)) // Aged<Quote> or null
 *         .then("last-known", failure -> lastKnown.get(symbol))   // Quote or null
 *         .otherwise("unavailable", failure -> Quote.UNAVAILABLE)
 *         .build();
 * }
 *
 * <p>Immutable; thread-safe if its functions are.
 *
 * @param <T> the type of the values served
 */
public final class FallbackConfig<T> {
  private static final List<Class<? extends Throwable>> DEFAULT_HANDLED =
      List.of(RejectedException.class, IOException.class, UncheckedIOException.class);

  private final List<Rung<T>> rungs;
  private final List<Class<? extends Throwable>> handledTypes;
  private final @Nullable Predicate<? super Throwable> handleIf;
  private final @Nullable Predicate<Object> handleResult;
  private final @Nullable List<Class<? extends Throwable>> explicitTypes;

  private FallbackConfig(Builder<T> b) {
    this.rungs = List.copyOf(b.rungs);
    this.explicitTypes = b.handledTypes;
    this.handleIf = b.handleIf;
    this.handleResult = b.handleResult;
    if (b.handledTypes != null) {
      this.handledTypes = b.handledTypes;
    } else {
      this.handledTypes = b.handleIf != null ? List.of() : DEFAULT_HANDLED;
    }
  }

  /** A builder with no rungs and the default failure handling. Thread-safe. */
  public static <T> Builder<T> builder() {
    return new Builder<>();
  }

  /** A builder starting from this configuration. Thread-safe. */
  public Builder<T> toBuilder() {
    Builder<T> b = new Builder<>();
    b.rungs.addAll(rungs);
    b.handledTypes = explicitTypes;
    b.handleIf = handleIf;
    b.handleResult = handleResult;
    return b;
  }

  /** The names of the rungs, in the order they are tried. Unmodifiable. Thread-safe. */
  public List<String> rungs() {
    List<String> names = new ArrayList<>(rungs.size());
    for (Rung<T> rung : rungs) {
      names.add(rung.name);
    }
    return Collections.unmodifiableList(names);
  }

  /**
   * The failure types the fallback steps in for (with their subtypes). Default {@link
   * RejectedException}, {@link IOException}, {@link UncheckedIOException}; empty when only {@link
   * Builder#handleIf} was set. Thread-safe.
   */
  public List<Class<? extends Throwable>> handledTypes() {
    return handledTypes;
  }

  /**
   * True if the fallback steps in for {@code failure}: it is one of {@link #handledTypes()} or
   * matches the {@link Builder#handleIf} predicate. Thread-safe if the predicate is.
   *
   * @throws NullPointerException if {@code failure} is null
   */
  public boolean handles(Throwable failure) {
    Check.notNull("failure", failure);
    for (Class<? extends Throwable> type : handledTypes) {
      if (type.isInstance(failure)) {
        return true;
      }
    }
    return handleIf != null && handleIf.test(failure);
  }

  /**
   * True if the fallback replaces the call's result {@code value}, which may be null ({@link
   * Builder#handleResult}). Default false for every result. Thread-safe if the predicate is.
   */
  public boolean handlesResult(@Nullable Object value) {
    return handleResult != null && handleResult.test(value);
  }

  List<Rung<T>> ladder() {
    return rungs;
  }

  @Override
  public String toString() {
    return "FallbackConfig[rungs=" + rungs() + ", handledTypes=" + handledTypes + "]";
  }

  /**
   * Builds a {@link FallbackConfig}. Setters check their own value; {@link #build()} checks there
   * is at least one rung. Not thread-safe.
   *
   * @param <T> the type of the values served
   */
  public static final class Builder<T> {
    private final List<Rung<T>> rungs = new ArrayList<>();
    private @Nullable List<Class<? extends Throwable>> handledTypes;
    private @Nullable Predicate<? super Throwable> handleIf;
    private @Nullable Predicate<Object> handleResult;

    private Builder() {}

    /**
     * Adds a rung named {@code rung} whose {@code source} is given the failure (null when a result
     * is replaced) and returns a value, or null for "nothing here, try the next rung". Its age is
     * unknown.
     *
     * @throws NullPointerException if an argument is null
     * @throws IllegalArgumentException if the name is blank, taken, or {@link Served#FRESH}, or if
     *     {@link #otherwise} was already called
     */
    public Builder<T> then(String rung, Function<? super Throwable, ? extends T> source) {
      return add(rung, Rung.Kind.PLAIN, source);
    }

    /**
     * Adds a rung named {@code rung} whose {@code source} returns a value with its age (for example
     * a cache entry), or null for "nothing here, try the next rung".
     *
     * @throws NullPointerException if an argument is null
     * @throws IllegalArgumentException as {@link #then}
     */
    public Builder<T> thenAged(
        String rung, Function<? super Throwable, ? extends Aged<? extends T>> source) {
      return add(rung, Rung.Kind.AGED, source);
    }

    /**
     * Adds the last rung, named {@code rung}: whatever {@code source} returns is served, null
     * included.
     *
     * @throws NullPointerException if an argument is null
     * @throws IllegalArgumentException as {@link #then}
     */
    public Builder<T> otherwise(String rung, Function<? super Throwable, ? extends T> source) {
      return add(rung, Rung.Kind.FINAL, source);
    }

    /**
     * Steps in only for failures of these types (and their subtypes), instead of the defaults.
     * Combines with {@link #handleIf} by "or".
     *
     * @throws NullPointerException if the array or a type is null
     * @throws IllegalArgumentException if no type is given
     */
    @SafeVarargs
    public final Builder<T> handle(Class<? extends Throwable>... types) {
      Check.notNull("types", types);
      if (types.length == 0) {
        throw new IllegalArgumentException("types must name at least one failure type");
      }
      List<Class<? extends Throwable>> copy = new ArrayList<>(types.length);
      for (int i = 0; i < types.length; i++) {
        copy.add(Check.notNull("types[" + i + "]", types[i]));
      }
      this.handledTypes = List.copyOf(copy);
      return this;
    }

    /**
     * Steps in for failures that match {@code predicate}, instead of the defaults. Combines with
     * {@link #handle} by "or". The predicate sees the failure unwrapped from {@code
     * CompletionException} and {@code ExecutionException}.
     *
     * @throws NullPointerException if {@code predicate} is null
     */
    public Builder<T> handleIf(Predicate<? super Throwable> predicate) {
      this.handleIf = Check.notNull("predicate", predicate);
      return this;
    }

    /**
     * Also steps in when the call returns a value that matches {@code predicate} (for example an
     * empty page or an error marker); the rungs then see a null failure.
     *
     * @throws NullPointerException if {@code predicate} is null
     */
    public Builder<T> handleResult(Predicate<Object> predicate) {
      this.handleResult = Check.notNull("predicate", predicate);
      return this;
    }

    /**
     * The configuration.
     *
     * @throws IllegalStateException if no rung was added
     */
    public FallbackConfig<T> build() {
      if (rungs.isEmpty()) {
        throw new IllegalStateException(
            "rungs must not be empty: add then(...), thenAged(...) or otherwise(...)");
      }
      return new FallbackConfig<>(this);
    }

    private Builder<T> add(String rung, Rung.Kind kind, Function<? super Throwable, ?> source) {
      Check.notNull("rung", rung);
      Check.notNull("source", source);
      if (rung.isBlank()) {
        throw new IllegalArgumentException("rung must not be blank");
      }
      if (rung.equals(Served.FRESH)) {
        throw new IllegalArgumentException(
            "rung must not be '" + Served.FRESH + "': that names the call's own value");
      }
      for (Rung<T> existing : rungs) {
        if (existing.name.equals(rung)) {
          throw new IllegalArgumentException("rung '" + rung + "' is already in the ladder");
        }
        if (existing.kind == Rung.Kind.FINAL) {
          throw new IllegalArgumentException(
              "rung '"
                  + rung
                  + "' comes after otherwise('"
                  + existing.name
                  + "'), which always serves; otherwise(...) must be the last rung");
        }
      }
      rungs.add(new Rung<>(rung, kind, source));
      return this;
    }
  }
}
