package dev.bulwark.cache;

import org.jspecify.annotations.Nullable;

/**
 * One cached value in the process level, with its times on the cache's monotonic clock. Immutable:
 * a refresh replaces the entry, so a reader sees one consistent set of times. {@code absent} marks
 * a remembered "not found" (negative caching), whose value is null.
 */
final class Entry<V> {
  final @Nullable V value; // null exactly when absent
  final boolean absent;

  /** When the value was loaded at its source (for its age), possibly on another instance. */
  final long bornNanos;

  /** Until when the process level serves it without asking the next level. */
  final long localFreshUntilNanos;

  /** Until when it is fresh. */
  final long freshUntilNanos;

  /** Until when stale-while-revalidate serves it (== freshUntilNanos when that is off). */
  final long revalidateUntilNanos;

  /** Until when stale-if-error may serve it; the process level drops it then. */
  final long keepUntilNanos;

  /** How long its load took, XFetch's delta. */
  final long loadNanos;

  Entry(
      @Nullable V value,
      boolean absent,
      long bornNanos,
      long localFreshUntilNanos,
      long freshUntilNanos,
      long revalidateUntilNanos,
      long keepUntilNanos,
      long loadNanos) {
    this.value = value;
    this.absent = absent;
    this.bornNanos = bornNanos;
    this.localFreshUntilNanos = localFreshUntilNanos;
    this.freshUntilNanos = freshUntilNanos;
    this.revalidateUntilNanos = revalidateUntilNanos;
    this.keepUntilNanos = keepUntilNanos;
    this.loadNanos = loadNanos;
  }

  boolean isFresh(long now) {
    return now - freshUntilNanos < 0;
  }

  boolean isLocallyFresh(long now) {
    return now - localFreshUntilNanos < 0;
  }

  boolean canRevalidate(long now) {
    return now - revalidateUntilNanos < 0;
  }

  boolean isKept(long now) {
    return now - keepUntilNanos < 0;
  }

  long ageNanos(long now) {
    return Math.max(0, now - bornNanos);
  }
}
