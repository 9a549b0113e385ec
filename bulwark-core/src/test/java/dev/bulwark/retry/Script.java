package dev.bulwark.retry;

import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A call whose outcomes are data: each attempt takes the next step (a value to return, an exception
 * to throw, or an action to run); the last step repeats. Counts the attempts.
 */
final class Script implements Callable<Object> {
  /** A step that runs code, for attempts that must do something (advance time, say). */
  interface Step {
    Object run() throws Exception;
  }

  private final List<Object> steps;
  private final AtomicInteger calls = new AtomicInteger();

  private Script(List<Object> steps) {
    this.steps = steps;
  }

  static Script of(Object... steps) {
    return new Script(List.of(steps));
  }

  @Override
  public Object call() throws Exception {
    int i = calls.getAndIncrement();
    Object step = steps.get(Math.min(i, steps.size() - 1));
    if (step instanceof Exception) {
      throw (Exception) step;
    }
    if (step instanceof Error) {
      throw (Error) step;
    }
    if (step instanceof Step) {
      return ((Step) step).run();
    }
    return step;
  }

  int calls() {
    return calls.get();
  }
}
