/** The showcase: a flaky service under load, called with and without Bulwark. */
@SuppressWarnings("requires-automatic")
module dev.bulwark.demo {
  requires static org.jspecify;
  requires dev.bulwark.core;
  requires dev.bulwark.http;
  requires dev.bulwark.cache;
  requires dev.bulwark.admin; // the live dashboard
  requires dev.bulwark.micrometer; // its /metrics
  requires micrometer.registry.prometheus;
  requires dev.bulwark.test; // a real redis-server for the cache's Redis level
  requires java.net.http;
  requires jdk.httpserver;
}
