package dev.bulwark.spi;

import static java.lang.System.Logger.Level.WARNING;

import dev.bulwark.event.EventListener;
import dev.bulwark.event.EventSource;
import dev.bulwark.event.PolicyEvent;
import dev.bulwark.internal.Check;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.Arrays;
import java.util.Set;

/**
 * Delivers a policy's events to its listeners.
 *
 * <p>Policies ask {@link #hasListeners(Class)} before building an event of that kind, so an event
 * nobody wants is never built: with no listener the question costs one volatile read, and with
 * listeners that asked for other kinds (a health monitor wants state changes, not every success) a
 * few {@code isAssignableFrom} checks. Subscriptions live in an array replaced by CAS on subscribe
 * and unsubscribe (rare); publishing iterates a snapshot and takes no lock. A listener that throws
 * is logged and skipped: it cannot hurt the call or the other listeners.
 *
 * <p>For policy kinds outside core (a cache, a fleet limiter) that publish events the way core's
 * policies do: hold one bus per policy, {@link #publish} from the policy, and hand out only {@link
 * #view()} from its {@code events()}, so nobody else can publish. Thread-safe.
 */
public final class EventBus implements EventSource {
  private static final System.Logger LOG = System.getLogger(EventBus.class.getName());
  private static final Subscription[] NONE = new Subscription[0];
  private static final Class<?>[] EVERYTHING = {PolicyEvent.class};
  private static final VarHandle SUBSCRIPTIONS;

  static {
    try {
      SUBSCRIPTIONS =
          MethodHandles.lookup()
              .findVarHandle(EventBus.class, "subscriptions", Subscription[].class);
    } catch (ReflectiveOperationException e) {
      throw new ExceptionInInitializerError(e);
    }
  }

  private volatile Subscription[] subscriptions = NONE;
  private final EventSource view = new View(this);

  /** A bus with no listeners yet. */
  public EventBus() {}

  /**
   * This bus as its owner hands it out: listeners can subscribe and unsubscribe through it, but it
   * is not this bus, so a caller cannot cast it back to publish. The same instance every time.
   */
  public EventSource view() {
    return view;
  }

  /** True if at least one listener is subscribed, to anything. */
  public boolean hasListeners() {
    return subscriptions.length != 0;
  }

  /** True if some listener wants events of {@code type}: build one only then. */
  public boolean hasListeners(Class<? extends PolicyEvent> type) {
    for (Subscription s : subscriptions) {
      if (s.wants(type)) {
        return true;
      }
    }
    return false;
  }

  /** Delivers {@code event} to every listener subscribed now that wants its kind. */
  public void publish(PolicyEvent event) {
    for (Subscription s : subscriptions) {
      if (!s.wants(event.getClass())) {
        continue;
      }
      try {
        s.listener.onEvent(event);
      } catch (RuntimeException e) {
        LOG.log(WARNING, () -> "event listener " + s.listener + " failed on " + event, e);
      }
    }
  }

  @Override
  public void subscribe(EventListener listener) {
    add(new Subscription(Check.notNull("listener", listener), EVERYTHING));
  }

  @Override
  public void subscribe(EventListener listener, Set<Class<? extends PolicyEvent>> types) {
    Check.notNull("listener", listener);
    Check.notNull("types", types);
    if (types.isEmpty()) {
      throw new IllegalArgumentException("types must name at least one kind of event");
    }
    Class<?>[] kinds = types.toArray(new Class<?>[0]);
    for (int i = 0; i < kinds.length; i++) {
      Check.notNull("types[" + i + "]", kinds[i]);
    }
    add(new Subscription(listener, kinds));
  }

  private void add(Subscription subscription) {
    Subscription[] seen;
    Subscription[] next;
    do { // the thread whose CAS succeeds wins; losers retry against the newer array
      seen = subscriptions;
      next = Arrays.copyOf(seen, seen.length + 1);
      next[seen.length] = subscription;
    } while (!SUBSCRIPTIONS.compareAndSet(this, seen, next));
  }

  @Override
  public boolean unsubscribe(EventListener listener) {
    Check.notNull("listener", listener);
    Subscription[] seen;
    Subscription[] next;
    do { // as in add: the CAS winner's removal stands, a loser looks again
      seen = subscriptions;
      int index = -1;
      for (int i = 0; i < seen.length; i++) {
        if (seen[i].listener == listener) {
          index = i;
          break;
        }
      }
      if (index < 0) {
        return false;
      }
      next = new Subscription[seen.length - 1];
      System.arraycopy(seen, 0, next, 0, index);
      System.arraycopy(seen, index + 1, next, index, seen.length - index - 1);
    } while (!SUBSCRIPTIONS.compareAndSet(this, seen, next));
    return true;
  }

  /** Subscribing only: the read-only face of a bus. Thread-safe. */
  private static final class View implements EventSource {
    private final EventBus bus;

    View(EventBus bus) {
      this.bus = bus;
    }

    @Override
    public void subscribe(EventListener listener) {
      bus.subscribe(listener);
    }

    @Override
    public void subscribe(EventListener listener, Set<Class<? extends PolicyEvent>> types) {
      bus.subscribe(listener, types);
    }

    @Override
    public boolean unsubscribe(EventListener listener) {
      return bus.unsubscribe(listener);
    }

    @Override
    public String toString() {
      return "EventSource[" + bus.subscriptions.length + " subscriptions]";
    }
  }

  /** One listener and the kinds of event it asked for. Immutable. */
  private static final class Subscription {
    final EventListener listener;
    final Class<?>[] kinds;

    Subscription(EventListener listener, Class<?>[] kinds) {
      this.listener = listener;
      this.kinds = kinds;
    }

    boolean wants(Class<?> type) {
      for (Class<?> kind : kinds) {
        if (kind.isAssignableFrom(type)) {
          return true;
        }
      }
      return false;
    }
  }
}
