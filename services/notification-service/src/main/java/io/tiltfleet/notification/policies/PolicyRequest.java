package io.tiltfleet.notification.policies;

import jakarta.validation.Valid;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotEmpty;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Pattern;
import jakarta.validation.constraints.Size;
import java.util.List;

/**
 * The body of {@code PUT /api/fleets/{fleetId}/notification-policies}. What one field can say is said here; what
 * needs several fields, the stored policy or DNS is {@link PolicyValidator}'s. Kinds, types, severities and
 * durations are strings so that a wrong one is named by its field, not by a parser's message.
 */
public record PolicyRequest(@NotNull @Size(max = PolicyValidator.MAX_CHANNELS) List<@NotNull @Valid ChannelRequest> channels,
                            @NotEmpty @Size(max = PolicyValidator.MAX_RULES) List<@NotNull @Valid RuleRequest> rules) {

    static final String ID = "[A-Za-z0-9_-]{1,64}";

    public record ChannelRequest(@NotNull @Pattern(regexp = ID) String id,
                                 @NotNull @Pattern(regexp = "WEBHOOK|SLACK|TEAMS|EMAIL", message = "must be one of WEBHOOK, SLACK, TEAMS, EMAIL") String kind,
                                 @Size(max = 2048) String url,
                                 @Size(min = 16, max = 256) String secret,
                                 @Size(max = PolicyValidator.MAX_RECIPIENTS) List<@NotBlank @Size(max = 254) String> recipients) {
    }

    public record RuleRequest(@Size(max = 10) List<@NotNull String> types, @Size(max = 2) List<@NotNull String> severities,
                              @NotEmpty @Size(max = PolicyValidator.MAX_TIERS) List<@NotNull @Valid TierRequest> tiers,
                              @Size(max = 40) String remindEvery) {
    }

    public record TierRequest(@NotBlank @Size(max = 40) String after,
                              @NotEmpty @Size(max = PolicyValidator.MAX_CHANNELS) List<@NotNull @Pattern(regexp = ID) String> channels) {
    }
}
