/**
 * Fleet mode on Redis: a rate limiter and a retry budget shared by every instance of a service,
 * each falling back to its local form when Redis is slow or gone.
 */
// Lettuce names its module in its manifest only
@SuppressWarnings("requires-automatic")
module dev.bulwark.redis {
  requires static transitive org.jspecify;
  requires transitive dev.bulwark.core;
  requires lettuce.core;
  requires reactor.core;

  exports dev.bulwark.redis;

  provides dev.bulwark.spi.PolicyKindProvider with
      dev.bulwark.redis.RedisKinds;
}
