package dev.bulwark.test.sweep;

import dev.bulwark.test.internal.Check;
import java.time.Duration;
import java.util.Objects;

/** Members that refuse null well, badly or not at all, for the NullSweep's own tests. */
public final class Samples {
  private Samples() {}

  /** Checks both arguments with the house message. */
  public static String compliant(String name, Duration wait) {
    Check.notNull("name", name);
    Check.notNull("wait", wait);
    return name + wait;
  }

  /** Takes a null name silently. */
  public static String lax(String name) {
    return "lax " + name;
  }

  /** Fails on null, but with the JDK's helpful message instead of one naming the parameter. */
  public static int vague(String name) {
    return name.length();
  }

  /** Names the wrong parameter. */
  public static String confused(String name, String label) {
    Objects.requireNonNull(name, "label must not be null");
    return Check.notNull("label", label);
  }

  /** A value object whose optional note may be null, as documented. */
  public record Note(String text, String comment) {
    /** {@code comment} may be null. */
    public Note {
      Check.notNull("text", text);
    }
  }
}
