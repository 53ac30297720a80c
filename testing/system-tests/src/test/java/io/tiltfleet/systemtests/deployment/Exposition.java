package io.tiltfleet.systemtests.deployment;

import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** What one service's {@code /actuator/prometheus} exposes: each series name with the label names it carries. */
record Exposition(String application, Map<String, Set<String>> labelsByMetric) {

    private static final Pattern SAMPLE = Pattern.compile("^([a-zA-Z_:][a-zA-Z0-9_:]*)(\\{(.*)})?\\s");
    private static final Pattern LABEL = Pattern.compile("([a-zA-Z_][a-zA-Z0-9_]*)=\"");

    static Exposition parse(String application, String text) {
        Map<String, Set<String>> labels = new HashMap<>();
        text.lines().filter(line -> !line.startsWith("#")).forEach(line -> {
            Matcher sample = SAMPLE.matcher(line);
            if (sample.find()) {
                Set<String> names = labels.computeIfAbsent(sample.group(1), name -> new HashSet<>());
                if (sample.group(3) != null) {
                    Matcher label = LABEL.matcher(sample.group(3));
                    while (label.find()) {
                        names.add(label.group(1));
                    }
                }
            }
        });
        return new Exposition(application, labels);
    }

    boolean has(String metric) {
        return labelsByMetric.containsKey(metric);
    }

    Set<String> labelsOf(String metric) {
        return labelsByMetric.getOrDefault(metric, Set.of());
    }
}
