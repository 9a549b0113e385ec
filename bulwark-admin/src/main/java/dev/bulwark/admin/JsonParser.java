package dev.bulwark.admin;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * A strict JSON parser (RFC 8259) for the small bodies the admin endpoints accept: objects become
 * {@link Map}s, arrays {@link List}s, numbers {@link Double}s. Nesting is limited, duplicate member
 * names are refused, and anything after the value is an error.
 *
 * <p>Not thread-safe; one instance parses one text.
 */
final class JsonParser {
  private static final int MAX_DEPTH = 16;

  /** Why a text is not JSON, with the offset where it went wrong. */
  static final class MalformedJsonException extends Exception {
    private static final long serialVersionUID = 1L;

    MalformedJsonException(String message, int offset) {
      super(message + " at offset " + offset, null, false, false);
    }
  }

  private final String text;
  private int pos;

  private JsonParser(String text) {
    this.text = text;
  }

  /** The value {@code text} holds. */
  static @Nullable Object parse(String text) throws MalformedJsonException {
    JsonParser parser = new JsonParser(text);
    parser.space();
    Object value = parser.value(0);
    parser.space();
    if (parser.pos != text.length()) {
      throw parser.error("unexpected text after the value");
    }
    return value;
  }

  private @Nullable Object value(int depth) throws MalformedJsonException {
    if (depth > MAX_DEPTH) {
      throw error("nested deeper than " + MAX_DEPTH);
    }
    if (pos >= text.length()) {
      throw error("unexpected end");
    }
    char c = text.charAt(pos);
    switch (c) {
      case '{':
        return object(depth);
      case '[':
        return array(depth);
      case '"':
        return string();
      case 't':
        literal("true");
        return true;
      case 'f':
        literal("false");
        return false;
      case 'n':
        literal("null");
        return null;
      default:
        if (c == '-' || (c >= '0' && c <= '9')) {
          return number();
        }
        throw error("unexpected character '" + printable(c) + "'");
    }
  }

  private Map<String, @Nullable Object> object(int depth) throws MalformedJsonException {
    pos++; // {
    Map<String, @Nullable Object> members = new LinkedHashMap<>();
    space();
    if (peek() == '}') {
      pos++;
      return members;
    }
    while (true) {
      space();
      if (peek() != '"') {
        throw error("expected a member name");
      }
      int at = pos;
      String name = string();
      space();
      expect(':');
      space();
      Object value = value(depth + 1);
      if (members.containsKey(name)) {
        throw new MalformedJsonException("duplicate member '" + name + "'", at);
      }
      members.put(name, value);
      space();
      char c = next();
      if (c == '}') {
        return members;
      }
      if (c != ',') {
        pos--;
        throw error("expected ',' or '}'");
      }
    }
  }

  private List<@Nullable Object> array(int depth) throws MalformedJsonException {
    pos++; // [
    List<@Nullable Object> items = new ArrayList<>();
    space();
    if (peek() == ']') {
      pos++;
      return items;
    }
    while (true) {
      space();
      items.add(value(depth + 1));
      space();
      char c = next();
      if (c == ']') {
        return items;
      }
      if (c != ',') {
        pos--;
        throw error("expected ',' or ']'");
      }
    }
  }

  private String string() throws MalformedJsonException {
    pos++; // "
    StringBuilder out = new StringBuilder();
    while (true) {
      if (pos >= text.length()) {
        throw error("unterminated string");
      }
      char c = text.charAt(pos++);
      if (c == '"') {
        return out.toString();
      }
      if (c < 0x20) {
        pos--;
        throw error("unescaped control character in a string");
      }
      if (c != '\\') {
        out.append(c);
        continue;
      }
      char e = next();
      switch (e) {
        case '"':
        case '\\':
        case '/':
          out.append(e);
          break;
        case 'b':
          out.append('\b');
          break;
        case 'f':
          out.append('\f');
          break;
        case 'n':
          out.append('\n');
          break;
        case 'r':
          out.append('\r');
          break;
        case 't':
          out.append('\t');
          break;
        case 'u':
          if (pos + 4 > text.length()) {
            throw error("short \\u escape");
          }
          int code = 0;
          for (int i = 0; i < 4; i++) {
            int digit = Character.digit(text.charAt(pos++), 16);
            if (digit < 0) {
              pos--;
              throw error("bad hex digit in a \\u escape");
            }
            code = code * 16 + digit;
          }
          out.append((char) code);
          break;
        default:
          pos--;
          throw error("bad escape '\\" + printable(e) + "'");
      }
    }
  }

  private Double number() throws MalformedJsonException {
    int start = pos;
    if (peek() == '-') {
      pos++;
    }
    if (peek() == '0') {
      pos++;
    } else if (isDigit(peek())) {
      digits();
    } else {
      throw error("expected a digit");
    }
    if (peek() == '.') {
      pos++;
      if (!isDigit(peek())) {
        throw error("expected a digit after '.'");
      }
      digits();
    }
    if (peek() == 'e' || peek() == 'E') {
      pos++;
      if (peek() == '+' || peek() == '-') {
        pos++;
      }
      if (!isDigit(peek())) {
        throw error("expected a digit in the exponent");
      }
      digits();
    }
    return Double.valueOf(text.substring(start, pos));
  }

  private void digits() {
    while (isDigit(peek())) {
      pos++;
    }
  }

  private static boolean isDigit(char c) {
    return c >= '0' && c <= '9';
  }

  private void literal(String word) throws MalformedJsonException {
    if (!text.startsWith(word, pos)) {
      throw error("unexpected character '" + printable(text.charAt(pos)) + "'");
    }
    pos += word.length();
  }

  private void space() {
    while (pos < text.length()) {
      char c = text.charAt(pos);
      if (c != ' ' && c != '\t' && c != '\n' && c != '\r') {
        return;
      }
      pos++;
    }
  }

  private char peek() {
    return pos < text.length() ? text.charAt(pos) : '\0';
  }

  private char next() throws MalformedJsonException {
    if (pos >= text.length()) {
      throw error("unexpected end");
    }
    return text.charAt(pos++);
  }

  private void expect(char c) throws MalformedJsonException {
    if (peek() != c) {
      throw error("expected '" + c + "'");
    }
    pos++;
  }

  private MalformedJsonException error(String message) {
    return new MalformedJsonException(message, pos);
  }

  private static String printable(char c) {
    return c < 0x20 || c > 0x7e ? String.format(java.util.Locale.ROOT, "\\u%04x", (int) c) : "" + c;
  }
}
