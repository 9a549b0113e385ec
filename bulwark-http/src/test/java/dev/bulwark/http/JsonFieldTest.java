package dev.bulwark.http;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/** Reading one top-level string field of a health body, without a JSON library. */
class JsonFieldTest {

  @ParameterizedTest
  @CsvSource(
      delimiter = '|',
      value = {
        "{\"status\":\"UP\"}|UP",
        "  { \"status\" :  \"DOWN\" , \"x\": 1 }|DOWN",
        "{\"checks\":[{\"status\":\"DOWN\"}],\"status\":\"UP\"}|UP",
        "{\"a\":{\"status\":\"DOWN\"},\"status\":\"UP\"}|UP",
        "{\"note\":\"status\",\"status\":\"UP\"}|UP",
        "{\"q\":\"a \\\" } status\",\"status\":\"UP\"}|UP",
        "{\"status\":\"\\u0055P\"}|UP",
      })
  void findsTheTopLevelValue(String json, String expected) {
    assertThat(JsonField.topLevelString(json, "status")).isEqualTo(expected);
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "",
        "UP",
        "[\"status\",\"UP\"]",
        "{\"status\":true}",
        "{\"status\":null}",
        "{\"health\":{\"status\":\"UP\"}}",
        "{\"status\":\"UP",
        "{\"status\" \"UP\"}",
        "{\"status\":\"\\x\"}",
        "{\"status\":\"\\u12\"}",
        "{\"other\":\"UP\"}",
      })
  void answersNullForAnythingElseWithoutThrowing(String json) {
    assertThat(JsonField.topLevelString(json, "status")).isNull();
  }
}
