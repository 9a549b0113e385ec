package dev.bulwark.admin;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import dev.bulwark.circuitbreaker.CircuitBreaker;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import org.junit.jupiter.api.Test;

class JsonTest {

  @Provide
  Arbitrary<String> anyText() {
    // every char, lone surrogates and control characters included
    return Arbitraries.strings().all().ofMaxLength(40);
  }

  @Property(tries = 500)
  void anyStringWrittenIsReadBackByARealParserAsTheSameString(@ForAll("anyText") String s) {
    String written = new Json().begin().field(s, s).end().toString();

    JsonNode read = AdminFixture.json(written);

    assertThat(read.get(s).asText()).isEqualTo(s);
  }

  @Property(tries = 500)
  void ourParserReadsWhatAReferenceWriterWrites(@ForAll("anyText") String s) throws Exception {
    Map<String, Object> value = new LinkedHashMap<>();
    value.put("reason", s);
    value.put("n", List.of(1.5, -2e3, 0));
    value.put("b", true);
    String written = AdminFixture.JSON.writeValueAsString(value);

    Object parsed = JsonParser.parse(written);

    assertThat(parsed).isInstanceOf(Map.class);
    assertThat(((Map<?, ?>) parsed).get("reason")).isEqualTo(s);
    assertThat(((Map<?, ?>) parsed).get("n")).isEqualTo(List.of(1.5, -2000.0, 0.0));
    assertThat(((Map<?, ?>) parsed).get("b")).isEqualTo(true);
  }

  @Test
  void recordsAreObjectsOfTheirComponentsAndDurationsAreIso8601() {
    CircuitBreaker.Snapshot snapshot =
        new CircuitBreaker.Snapshot(
            CircuitBreaker.State.OPEN, 75f, -1f, 4, 3, 0, 1, 9, Duration.ofMillis(1500));

    JsonNode read = AdminFixture.json(new Json().value(snapshot).toString());

    assertThat(read.get("state").asText()).isEqualTo("OPEN");
    assertThat(read.get("failureRate").asDouble()).isEqualTo(75.0);
    assertThat(read.get("notPermittedCalls").asLong()).isEqualTo(9);
    assertThat(read.get("timeUntilProbe").asText()).isEqualTo("PT1.5S");
  }

  @Test
  void numbersThatAreNotFiniteAreNull() {
    String written =
        new Json()
            .begin()
            .field("nan", Double.NaN)
            .field("inf", Float.POSITIVE_INFINITY)
            .end()
            .toString();

    assertThat(written).isEqualTo("{\"nan\":null,\"inf\":null}");
  }

  @Test
  void aFailureIsItsClassAndMessageNeverItsStackTrace() {
    String written = new Json().value(new IllegalStateException("broken")).toString();

    assertThat(written).isEqualTo("\"IllegalStateException: broken\"");
  }

  @Test
  void theParserRefusesWhatIsNotStrictJson() {
    for (String bad :
        List.of(
            "",
            "{",
            "{\"a\":1,}",
            "[1,]",
            "{'a':1}",
            "01",
            "1.",
            "-",
            "\"\\x\"",
            "\"a\nb\"",
            "nul",
            "{\"a\":1}{",
            "\"\\u12g4\"",
            "[".repeat(40) + "]".repeat(40))) {
      assertThatThrownBy(() -> JsonParser.parse(bad), bad)
          .isInstanceOf(JsonParser.MalformedJsonException.class)
          .hasMessageContaining("at offset");
    }
  }
}
