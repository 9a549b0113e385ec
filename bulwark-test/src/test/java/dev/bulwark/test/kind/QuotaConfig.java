package dev.bulwark.test.kind;

/** How many calls a {@link Quota} lets through, and whether it is strict. Immutable. */
public final class QuotaConfig {
  private final int maxCalls;
  private final boolean strict;

  private QuotaConfig(Builder b) {
    this.maxCalls = b.maxCalls;
    this.strict = b.strict;
  }

  public static QuotaConfig ofDefaults() {
    return new Builder().build();
  }

  public Builder toBuilder() {
    Builder b = new Builder();
    b.maxCalls = maxCalls;
    b.strict = strict;
    return b;
  }

  /** Calls let through until reset. Default 3. */
  public int maxCalls() {
    return maxCalls;
  }

  /** A setting that cannot change while a quota runs. Default false. */
  public boolean strict() {
    return strict;
  }

  /** Not thread-safe. */
  public static final class Builder {
    private int maxCalls = 3;
    private boolean strict;

    public Builder maxCalls(int calls) {
      if (calls < 1 || calls > 1000) {
        throw new IllegalArgumentException("maxCalls must be in [1, 1000], was " + calls);
      }
      this.maxCalls = calls;
      return this;
    }

    public Builder strict(boolean strict) {
      this.strict = strict;
      return this;
    }

    public QuotaConfig build() {
      return new QuotaConfig(this);
    }
  }
}
