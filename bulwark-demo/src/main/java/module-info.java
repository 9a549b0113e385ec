/** The showcase: a flaky service under load, called with and without Bulwark. */
module dev.bulwark.demo {
  requires static org.jspecify;
  requires dev.bulwark.core;
  requires dev.bulwark.http;
  requires java.net.http;
  requires jdk.httpserver;
}
