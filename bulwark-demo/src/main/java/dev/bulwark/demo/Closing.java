package dev.bulwark.demo;

import java.net.http.HttpClient;

/** Closes JDK HTTP clients where the JDK can (21 and later); on 17 their threads are daemons. */
final class Closing {
  private Closing() {}

  static void close(HttpClient client) {
    if (client instanceof AutoCloseable) {
      try {
        ((AutoCloseable) client).close();
      } catch (Exception e) {
        throw new IllegalStateException("closing an HTTP client failed", e);
      }
    }
  }
}
