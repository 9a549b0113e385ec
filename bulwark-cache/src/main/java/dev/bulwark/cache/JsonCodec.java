package dev.bulwark.cache;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;

/**
 * JSON through Jackson. Loaded only when {@link Codec#json} is called, so Jackson stays optional.
 * Default typing is never enabled: the JSON names no class, the target type is fixed here.
 */
final class JsonCodec<V> implements Codec<V> {
  private static final ObjectMapper MAPPER = new ObjectMapper();

  private final Class<V> type;

  private JsonCodec(Class<V> type) {
    this.type = type;
  }

  static <V> JsonCodec<V> of(Class<V> type) {
    return new JsonCodec<>(type);
  }

  @Override
  public byte[] encode(V value) {
    try {
      return MAPPER.writeValueAsBytes(value);
    } catch (IOException e) {
      throw new UncheckedIOException("could not write " + type.getName() + " as JSON", e);
    }
  }

  @Override
  public V decode(byte[] bytes) {
    try {
      return MAPPER.readValue(bytes, type);
    } catch (IOException e) {
      throw new UncheckedIOException("could not read " + type.getName() + " from JSON", e);
    }
  }

  @Override
  public String toString() {
    return "JsonCodec[" + type.getName() + "]";
  }
}
