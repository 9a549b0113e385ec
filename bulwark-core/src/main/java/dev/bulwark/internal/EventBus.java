package dev.bulwark.internal;

import static java.lang.System.Logger.Level.WARNING;

import dev.bulwark.event.EventListener;
import dev.bulwark.event.EventSource;
import dev.bulwark.event.PolicyEvent;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.Arrays;

/**
 * Delivers a policy's events to its listeners.
 *
 * <p>Policies check {@link #hasListeners()} before building an event, so nobody listening costs
 * one volatile read. Listeners live in an array replaced by CAS on subscribe and unsubscribe
 * (rare); publishing iterates a snapshot and takes no lock. A listener that throws is logged and
 * skipped: it cannot hurt the call or the other listeners.
 *
 * <p>Not API: may change any day. Thread-safe.
 */
public final class EventBus implements EventSource {
  private static final System.Logger LOG = System.getLogger(EventBus.class.getName());
  private static final EventListener[] NONE = new EventListener[0];
  private static final VarHandle LISTENERS;

  static {
    try {
      LISTENERS =
          MethodHandles.lookup().findVarHandle(EventBus.class, "listeners", EventListener[].class);
    } catch (ReflectiveOperationException e) {
      throw new ExceptionInInitializerError(e);
    }
  }

  private volatile EventListener[] listeners = NONE;

  /** True if at least one listener is subscribed: build an event only then. */
  public boolean hasListeners() {
    return listeners.length != 0;
  }

  /** Delivers {@code event} to every listener subscribed now. */
  public void publish(PolicyEvent event) {
    for (EventListener listener : listeners) {
      try {
        listener.onEvent(event);
      } catch (RuntimeException e) {
        LOG.log(WARNING, () -> "event listener " + listener + " failed on " + event, e);
      }
    }
  }

  @Override
  public void subscribe(EventListener listener) {
    Check.notNull("listener", listener);
    EventListener[] seen;
    EventListener[] next;
    do { // the thread whose CAS succeeds wins; losers retry against the newer array
      seen = listeners;
      next = Arrays.copyOf(seen, seen.length + 1);
      next[seen.length] = listener;
    } while (!LISTENERS.compareAndSet(this, seen, next));
  }

  @Override
  public boolean unsubscribe(EventListener listener) {
    EventListener[] seen;
    EventListener[] next;
    do {
      seen = listeners;
      int index = -1;
      for (int i = 0; i < seen.length; i++) {
        if (seen[i] == listener) {
          index = i;
          break;
        }
      }
      if (index < 0) {
        return false;
      }
      next = new EventListener[seen.length - 1];
      System.arraycopy(seen, 0, next, 0, index);
      System.arraycopy(seen, index + 1, next, index, seen.length - index - 1);
    } while (!LISTENERS.compareAndSet(this, seen, next));
    return true;
  }
}
