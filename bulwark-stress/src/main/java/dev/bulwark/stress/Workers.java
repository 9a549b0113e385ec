package dev.bulwark.stress;

import java.lang.reflect.Method;

/**
 * Starts the soak's worker threads, as platform threads or as virtual threads. The code is compiled
 * for Java 17, so virtual threads are made through {@code Thread.ofVirtual()} found by reflection
 * on a Java 21+ runtime.
 *
 * <p>Thread-safe.
 */
enum Workers {
  /** Platform threads, daemon, so a stuck worker cannot keep the JVM alive. */
  PLATFORM,
  /** Virtual threads (Java 21+). */
  VIRTUAL;

  /** True if this runtime can start virtual threads. */
  static boolean virtualThreadsAvailable() {
    return Runtime.version().feature() >= 21;
  }

  /** Starts {@code task} on a new thread of this kind named {@code name}. */
  Thread start(String name, Runnable task) {
    Thread thread;
    if (this == PLATFORM) {
      thread = new Thread(task, name);
      thread.setDaemon(true);
    } else {
      thread = unstartedVirtual(name, task);
    }
    thread.start();
    return thread;
  }

  private static Thread unstartedVirtual(String name, Runnable task) {
    try {
      Method ofVirtual = Thread.class.getMethod("ofVirtual");
      Object builder = ofVirtual.invoke(null);
      Class<?> builderType = Class.forName("java.lang.Thread$Builder");
      builder = builderType.getMethod("name", String.class).invoke(builder, name);
      return (Thread) builderType.getMethod("unstarted", Runnable.class).invoke(builder, task);
    } catch (ReflectiveOperationException e) {
      throw new IllegalStateException(
          "virtual threads need Java 21 or later; this is " + Runtime.version(), e);
    }
  }
}
