package dev.bulwark.cache;

import java.nio.charset.StandardCharsets;

/**
 * How a value is turned into bytes for the Redis level and back. Bulwark ships codecs for {@link
 * #string() strings}, {@link #bytes() byte arrays} and {@link #json(Class) JSON through Jackson};
 * none uses Java serialization, and a stored payload that is not in Bulwark's own envelope (such as
 * a Java-serialized object written under a cache key by someone else) is treated as a miss and
 * never handed to a codec.
 *
 * <p>Implementations must be thread-safe.
 *
 * @param <V> the value's type
 */
public interface Codec<V> {

  /** The bytes of {@code value} (never null). */
  byte[] encode(V value);

  /**
   * The value these bytes encode.
   *
   * @throws RuntimeException if they do not decode; the cache then treats the entry as a miss
   */
  V decode(byte[] bytes);

  /** Strings as UTF-8. Thread-safe. */
  static Codec<String> string() {
    return StringCodec.INSTANCE;
  }

  /** Byte arrays as they are. Thread-safe. */
  static Codec<byte[]> bytes() {
    return BytesCodec.INSTANCE;
  }

  /**
   * JSON through Jackson's {@code ObjectMapper} (a default one, shared), for values of {@code
   * type}. Needs {@code com.fasterxml.jackson.core:jackson-databind} on the class path.
   * Thread-safe.
   *
   * @throws NullPointerException if {@code type} is null
   */
  static <V> Codec<V> json(Class<V> type) {
    return JsonCodec.of(Check.notNull("type", type));
  }

  /** UTF-8 strings. */
  enum StringCodec implements Codec<String> {
    INSTANCE;

    @Override
    public byte[] encode(String value) {
      return value.getBytes(StandardCharsets.UTF_8);
    }

    @Override
    public String decode(byte[] bytes) {
      return new String(bytes, StandardCharsets.UTF_8);
    }
  }

  /** Raw bytes. */
  enum BytesCodec implements Codec<byte[]> {
    INSTANCE;

    @Override
    public byte[] encode(byte[] value) {
      return value;
    }

    @Override
    public byte[] decode(byte[] bytes) {
      return bytes;
    }
  }
}
