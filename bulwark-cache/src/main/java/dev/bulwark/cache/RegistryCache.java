package dev.bulwark.cache;

import dev.bulwark.time.Clock;
import dev.bulwark.time.Scheduler;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletionStage;
import java.util.function.Supplier;

/** A process-level cache made by a registry: a {@link TwoLevelCache} that is also a policy. */
final class RegistryCache extends TwoLevelCache<Object, Object> implements NamedCache {

  /** Never used: a registry's cache has no Redis level, so nothing is encoded. */
  private static final Codec<Object> NO_CODEC =
      new Codec<>() {
        @Override
        public byte[] encode(Object value) {
          throw new UnsupportedOperationException("a registry's cache has no Redis level");
        }

        @Override
        public Object decode(byte[] bytes) {
          throw new UnsupportedOperationException("a registry's cache has no Redis level");
        }
      };

  private RegistryCache(ResilientCache.Builder<Object, Object> b) {
    super(b);
  }

  /** The registry's factory: the cache named {@code name} with {@code config}, on its time. */
  static RegistryCache create(String name, CacheConfig config, Clock clock, Scheduler scheduler) {
    ResilientCache.Builder<Object, Object> b = new ResilientCache.Builder<>(name, NO_CODEC);
    return new RegistryCache(b.config(config).clock(clock).scheduler(scheduler));
  }

  @Override
  public <T> T execute(Callable<T> call, Next next) throws Exception {
    return next.proceed(call);
  }

  @Override
  public <T> CompletionStage<T> executeAsync(Supplier<CompletionStage<T>> call, AsyncNext next) {
    return next.proceed(call);
  }
}
