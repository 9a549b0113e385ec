package dev.bulwark.time;

import java.time.Instant;

/** The system clock; the one place besides {@link SystemScheduler} that reads system time. */
enum SystemClock implements Clock {
  INSTANCE;

  @Override
  public long nanoTime() {
    return System.nanoTime();
  }

  @Override
  public Instant wallTime() {
    return Instant.now();
  }

  @Override
  public String toString() {
    return "Clock.system()";
  }
}
