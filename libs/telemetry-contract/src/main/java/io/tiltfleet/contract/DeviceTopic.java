package io.tiltfleet.contract;

/** An MQTT topic a table publishes on: {@code fleets/{fleetId}/tables/{tableId}/(telemetry|status)}. */
public record DeviceTopic(String fleetId, String tableId, Kind kind) {

    public enum Kind {
        TELEMETRY, STATUS
    }

    /**
     * Reads a topic, or explains why it is not a device topic.
     *
     * @throws InvalidTopicException when the topic does not have the device shape or an id is not valid
     */
    public static DeviceTopic parse(String topic) {
        String[] levels = topic.split("/", -1);
        if (levels.length != 5 || !levels[0].equals("fleets") || !levels[2].equals("tables")) {
            throw new InvalidTopicException("topic must be fleets/{fleetId}/tables/{tableId}/telemetry|status");
        }
        Kind kind = switch (levels[4]) {
            case "telemetry" -> Kind.TELEMETRY;
            case "status" -> Kind.STATUS;
            default -> throw new InvalidTopicException("last topic level must be telemetry or status, was '" + levels[4] + "'");
        };
        requireId("fleetId", levels[1]);
        requireId("tableId", levels[3]);
        return new DeviceTopic(levels[1], levels[3], kind);
    }

    /**
     * The Kafka key of a reject: {@link TableRef#key() fleet and table} of a topic that has the device
     * shape, else the whole topic.
     */
    public static String kafkaKeyOf(String topic) {
        String[] levels = topic.split("/", -1);
        return levels.length == 5 ? new TableRef(levels[1], levels[3]).key() : topic;
    }

    private static void requireId(String name, String value) {
        if (!Ids.isValid(value)) {
            throw new InvalidTopicException(name + " '" + value + "' in the topic must be 1-64 characters of [A-Za-z0-9_-]");
        }
    }

    public static final class InvalidTopicException extends RuntimeException {
        InvalidTopicException(String message) {
            super(message);
        }
    }
}
