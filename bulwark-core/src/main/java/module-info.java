/**
 * Bulwark's policies, the pipeline that composes them, and the named registry {@code Resilience}.
 * No dependency beyond {@code java.base}; {@code dev.bulwark.internal} is not exported.
 */
module dev.bulwark.core {
  requires static transitive org.jspecify;

  exports dev.bulwark;
  exports dev.bulwark.bulkhead;
  exports dev.bulwark.circuitbreaker;
  exports dev.bulwark.event;
  exports dev.bulwark.fallback;
  exports dev.bulwark.health;
  exports dev.bulwark.healthcheck;
  exports dev.bulwark.hedge;
  exports dev.bulwark.policy;
  exports dev.bulwark.ratelimit;
  exports dev.bulwark.retry;
  exports dev.bulwark.spi;
  exports dev.bulwark.time;
  exports dev.bulwark.timeout;

  uses dev.bulwark.spi.PolicyKindProvider;
}
