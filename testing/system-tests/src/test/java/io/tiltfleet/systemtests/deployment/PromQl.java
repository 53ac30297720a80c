package io.tiltfleet.systemtests.deployment;

import java.util.LinkedHashSet;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The metric names, label names and {@code application} a PromQL expression of the dashboards and
 * rules refers to. Enough PromQL for what this repository writes: selectors, ranges, aggregations with
 * {@code by (...)}, function calls and numbers.
 */
record PromQl(Set<String> metrics, Set<String> labels, String application) {

    private static final Pattern MATCHERS = Pattern.compile("\\{([^}]*)}");
    private static final Pattern MATCHER = Pattern.compile("([a-zA-Z_][a-zA-Z0-9_]*)\\s*(=~|!~|!=|=)\\s*\"([^\"]*)\"");
    private static final Pattern GROUPING = Pattern.compile("\\b(by|without)\\s*\\(([^)]*)\\)");
    private static final Pattern IDENTIFIER = Pattern.compile("[a-zA-Z_:][a-zA-Z0-9_:]*");
    private static final Set<String> KEYWORDS = Set.of("by", "without", "on", "ignoring", "group_left", "group_right", "bool",
            "and", "or", "unless", "offset");

    static PromQl parse(String expression) {
        Set<String> labels = new LinkedHashSet<>();
        String application = null;
        Matcher matchers = MATCHERS.matcher(expression);
        while (matchers.find()) {
            Matcher matcher = MATCHER.matcher(matchers.group(1));
            while (matcher.find()) {
                labels.add(matcher.group(1));
                if (matcher.group(1).equals("application") && matcher.group(2).equals("=")) {
                    application = matcher.group(3);
                }
            }
        }
        Matcher grouping = GROUPING.matcher(expression);
        while (grouping.find()) {
            for (String label : grouping.group(2).split(",")) {
                labels.add(label.trim());
            }
        }
        String bare = GROUPING.matcher(MATCHERS.matcher(expression).replaceAll(" ")).replaceAll(" ")
                .replaceAll("\\[[^]]*]", " ").replaceAll("\"[^\"]*\"", " ");
        Set<String> metrics = new LinkedHashSet<>();
        Matcher identifier = IDENTIFIER.matcher(bare);
        while (identifier.find()) {
            String name = identifier.group();
            boolean calledAsFunction = bare.substring(identifier.end()).stripLeading().startsWith("(");
            if (!calledAsFunction && !KEYWORDS.contains(name)) {
                metrics.add(name);
            }
        }
        return new PromQl(metrics, labels, application);
    }
}
