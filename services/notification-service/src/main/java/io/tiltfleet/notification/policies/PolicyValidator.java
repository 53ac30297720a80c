package io.tiltfleet.notification.policies;

import io.tiltfleet.notification.channels.ChannelKind;
import io.tiltfleet.notification.channels.UrlGuard;
import io.tiltfleet.notification.policies.PolicyRequest.ChannelRequest;
import io.tiltfleet.notification.policies.PolicyRequest.RuleRequest;
import io.tiltfleet.notification.policies.PolicyRequest.TierRequest;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * What Bean Validation cannot say about a policy: references between its parts, durations, addresses, and
 * the secret a channel keeps from the stored policy. Each problem names its field as the request spells it
 * ({@code channels[1].url}). Plain Java: the URL check may resolve host names, so it runs off reactive threads.
 */
public final class PolicyValidator {

    static final int MAX_CHANNELS = 20;
    static final int MAX_RULES = 20;
    static final int MAX_TIERS = 5;
    static final int MAX_RECIPIENTS = 10;
    static final Set<String> TYPES = Set.of("OVER_ANGLE", "OVER_DURATION", "SILENT_WHILE_INVERTED", "LOCK_OPEN_WHILE_INVERTED",
            "RAPID_RETURN", "CONTRAINDICATED_USE", "OUTSIDE_PRESCRIPTION");
    static final Set<String> SEVERITIES = Set.of("WARNING", "CRITICAL");
    private static final Duration MAX_AFTER = Duration.ofDays(7);
    private static final Duration MAX_REMIND = Duration.ofDays(1);
    /** A plain address: something@domain.tld, no display name, no spaces (which could smuggle headers). */
    private static final Pattern EMAIL = Pattern.compile("[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]+@[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)+");

    /** One thing wrong, at one field. */
    public record Problem(String field, String message) {
        @Override
        public String toString() {
            return field + ": " + message;
        }
    }

    /** Either the policy to store, or what is wrong with the request. */
    public record Result(NotificationPolicy policy, List<Problem> problems) {
    }

    private final UrlGuard urls;
    private final Duration minRemind;

    /** @param minRemind the shortest {@code remindEvery} allowed ({@code min-remind-every}) */
    public PolicyValidator(UrlGuard urls, Duration minRemind) {
        this.urls = urls;
        this.minRemind = minRemind;
    }

    public Result validate(String fleetId, PolicyRequest request, Optional<NotificationPolicy> stored, Instant now) {
        List<Problem> problems = new ArrayList<>();
        List<Channel> channels = new ArrayList<>();
        Set<String> ids = new HashSet<>();
        for (int i = 0; i < request.channels().size(); i++) {
            ChannelRequest channel = request.channels().get(i);
            String at = "channels[" + i + "]";
            if (!ids.add(channel.id())) {
                problems.add(new Problem(at + ".id", "duplicate channel id '" + channel.id() + "'"));
            }
            channels.add(channel(at, channel, stored, problems));
        }
        List<Rule> rules = new ArrayList<>();
        for (int i = 0; i < request.rules().size(); i++) {
            rules.add(rule("rules[" + i + "]", request.rules().get(i), ids, problems));
        }
        return problems.isEmpty() ? new Result(new NotificationPolicy(fleetId, channels, rules, now), List.of())
                : new Result(null, problems);
    }

    private Channel channel(String at, ChannelRequest request, Optional<NotificationPolicy> stored, List<Problem> problems) {
        ChannelKind kind = ChannelKind.valueOf(request.kind());
        List<String> recipients = request.recipients() == null ? List.of() : request.recipients();
        String secret = request.secret();
        if (kind.http()) {
            if (request.url() == null) {
                problems.add(new Problem(at + ".url", "is required for a " + kind + " channel"));
            } else {
                UrlGuard.Check check = urls.check(request.url());
                if (check.verdict() != UrlGuard.Verdict.ALLOWED) {
                    problems.add(new Problem(at + ".url", check.reason()));
                }
            }
            if (!recipients.isEmpty()) {
                problems.add(new Problem(at + ".recipients", "only an EMAIL channel has recipients"));
            }
        } else {
            if (recipients.isEmpty()) {
                problems.add(new Problem(at + ".recipients", "an EMAIL channel needs at least one recipient"));
            }
            for (int r = 0; r < recipients.size(); r++) {
                if (!EMAIL.matcher(recipients.get(r)).matches()) {
                    problems.add(new Problem(at + ".recipients[" + r + "]", "is not an e-mail address"));
                }
            }
            if (request.url() != null) {
                problems.add(new Problem(at + ".url", "an EMAIL channel has recipients, not a URL"));
            }
        }
        if (kind == ChannelKind.WEBHOOK && secret == null) {
            // a channel that keeps its id and URL keeps its secret: the API never shows it, so a client cannot send it
            // back. A new URL needs it sent again: bodies signed with the old secret must not go to another receiver.
            Optional<Channel> old = stored.flatMap(policy -> policy.channel(request.id())).filter(kept -> kept.kind() == ChannelKind.WEBHOOK);
            secret = old.filter(kept -> Objects.equals(kept.url(), request.url())).map(Channel::secret).orElse(null);
            if (secret == null) {
                problems.add(new Problem(at + ".secret", old.isPresent() ? "must be sent again when the url changes"
                        : "a new WEBHOOK channel needs a secret of at least 16 characters"));
            }
        } else if (kind != ChannelKind.WEBHOOK && secret != null) {
            problems.add(new Problem(at + ".secret", "only a WEBHOOK channel has a secret"));
        }
        return new Channel(request.id(), kind, request.url(), secret, List.copyOf(recipients));
    }

    private Rule rule(String at, RuleRequest request, Set<String> channelIds, List<Problem> problems) {
        Set<String> types = known(at + ".types", request.types(), TYPES, problems);
        Set<String> severities = known(at + ".severities", request.severities(), SEVERITIES, problems);
        List<Tier> tiers = new ArrayList<>();
        Duration previous = null;
        for (int t = 0; t < request.tiers().size(); t++) {
            TierRequest tier = request.tiers().get(t);
            String tierAt = at + ".tiers[" + t + "]";
            Duration after = duration(tierAt + ".after", tier.after(), Duration.ZERO, MAX_AFTER, problems);
            if (after != null && previous != null && after.compareTo(previous) <= 0) {
                problems.add(new Problem(tierAt + ".after", "must be later than the tier before (" + previous + ")"));
            }
            previous = after == null ? previous : after;
            for (int c = 0; c < tier.channels().size(); c++) {
                if (!channelIds.contains(tier.channels().get(c))) {
                    problems.add(new Problem(tierAt + ".channels[" + c + "]", "names no channel of this policy: '" + tier.channels().get(c) + "'"));
                }
            }
            tiers.add(new Tier(after, List.copyOf(new LinkedHashSet<>(tier.channels()))));
        }
        Duration remindEvery = request.remindEvery() == null ? null
                : duration(at + ".remindEvery", request.remindEvery(), minRemind, MAX_REMIND, problems);
        return new Rule(types, severities, tiers, remindEvery);
    }

    private static Set<String> known(String at, List<String> values, Set<String> known, List<Problem> problems) {
        if (values == null) {
            return Set.of();
        }
        for (int i = 0; i < values.size(); i++) {
            if (!known.contains(values.get(i))) {
                problems.add(new Problem(at + "[" + i + "]", "is '" + values.get(i) + "', expected one of " + String.join(", ", known.stream().sorted().toList())));
            }
        }
        return Set.copyOf(values);
    }

    private static Duration duration(String at, String value, Duration min, Duration max, List<Problem> problems) {
        try {
            Duration duration = Duration.parse(value);
            if (duration.compareTo(min) < 0 || duration.compareTo(max) > 0) {
                problems.add(new Problem(at, "is " + value + ", must lie between " + min + " and " + max));
                return null;
            }
            return duration;
        } catch (DateTimeParseException e) {
            problems.add(new Problem(at, "is '" + value + "', expected an ISO-8601 duration such as PT5M"));
            return null;
        }
    }
}
