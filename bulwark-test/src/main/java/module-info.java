/**
 * Bulwark's test kit: a manual clock and scheduler, faults, a scripted HTTP server, and a real
 * redis-server (single or cluster) for tests.
 */
module dev.bulwark.test {
  requires static transitive org.jspecify;
  requires transitive dev.bulwark.core;
  requires static transitive org.junit.jupiter.api;

  exports dev.bulwark.test;
  exports dev.bulwark.test.http;
  exports dev.bulwark.test.redis;
}
