/** Bulwark's test kit: a manual clock and scheduler, faults, and a scripted HTTP server. */
module dev.bulwark.test {
  requires static transitive org.jspecify;
  requires transitive dev.bulwark.core;

  exports dev.bulwark.test;
  exports dev.bulwark.test.http;
}
