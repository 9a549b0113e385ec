/**
 * The admin endpoints of a {@code Resilience} registry on the JDK's own HTTP server: health,
 * policies and their statistics, breaker reset and force, Prometheus text, live events, and a
 * dashboard page. No dependency beyond core and the JDK.
 */
module dev.bulwark.admin {
  requires static transitive org.jspecify;
  requires transitive dev.bulwark.core;
  requires jdk.httpserver;

  exports dev.bulwark.admin;
}
