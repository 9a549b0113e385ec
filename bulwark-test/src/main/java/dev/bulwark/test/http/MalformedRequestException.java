package dev.bulwark.test.http;

import java.io.IOException;

/**
 * A request the server could not parse; its connection is closed and the error kept in {@link
 * ScriptedHttpServer#errors()}, unlike an ordinary disconnect.
 */
final class MalformedRequestException extends IOException {
  private static final long serialVersionUID = 1L;

  MalformedRequestException(String message) {
    super(message);
  }
}
