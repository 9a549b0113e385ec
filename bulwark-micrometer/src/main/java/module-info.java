/**
 * Meters for every policy of a {@code Resilience} registry through Micrometer, logs of what matters
 * through {@code System.Logger}, and webhook alerts when health changes.
 */
@SuppressWarnings({"requires-automatic", "requires-transitive-automatic"})
module dev.bulwark.micrometer {
  requires static transitive org.jspecify;
  requires transitive dev.bulwark.core;
  requires transitive micrometer.core;
  requires transitive java.net.http;
  // optional: meters for their kinds when they are present
  requires static dev.bulwark.cache;
  requires static dev.bulwark.redis;

  exports dev.bulwark.micrometer;
}
