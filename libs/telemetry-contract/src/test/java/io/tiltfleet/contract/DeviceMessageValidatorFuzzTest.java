package io.tiltfleet.contract;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.Size;

/** Whatever a table sends, the validator answers with a reading, a status or a reason; it never throws. */
class DeviceMessageValidatorFuzzTest {

    final DeviceMessageValidator validator = new DeviceMessageValidator();

    @Property(tries = 2000)
    void arbitraryBytesAreAcceptedOrRejectedWithAReason(@ForAll @Size(max = 600) byte[] payload) {
        assertAnswered(validator.validate(DeviceMessageValidatorTest.TOPIC, payload, DeviceMessageValidatorTest.RECEIVED));
    }

    @Property(tries = 2000)
    void validPayloadWithOneCharacterReplacedIsAcceptedOrRejectedWithAReason(
            @ForAll("positions") int position, @ForAll char replacement) {
        StringBuilder mutated = new StringBuilder(DeviceMessageValidatorTest.VALID);
        mutated.setCharAt(position, replacement);

        assertAnswered(validator.validate(DeviceMessageValidatorTest.TOPIC,
                mutated.toString().getBytes(StandardCharsets.UTF_8), DeviceMessageValidatorTest.RECEIVED));
    }

    @Provide
    Arbitrary<Integer> positions() {
        return Arbitraries.integers().between(0, DeviceMessageValidatorTest.VALID.length() - 1);
    }

    private static void assertAnswered(ValidationResult result) {
        assertThat(result).isNotNull();
        if (result instanceof ValidationResult.Rejected rejected) {
            assertThat(rejected.reason().rule()).isNotNull();
            assertThat(rejected.reason().detail()).isNotBlank();
        }
    }
}
