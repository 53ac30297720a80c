package io.tiltfleet.analytics;

import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotNull;
import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.validation.annotation.Validated;

/**
 * Settings of the analytics service; defaults in analytics-service.yml.
 *
 * @param idleTimeout      the longest gap between two readings of a session that counts as held; a session of whose
 *                         table nothing has arrived for this long and the arrival disorder is closed
 * @param arrivalDisorder  how late the readings a table buffered while offline may arrive and still join their session
 * @param reorderWindow    how many readings of a table are held to put them back in {@code seq} order; one that comes
 *                         after this many later ones is not counted (a late reading)
 * @param maxClockSkew     a reading dated further than this from when it reached the platform (its Kafka record's
 *                         time) is not counted: the table's clock is wrong
 * @param storeRetryMax    the longest pause between attempts while MongoDB refuses writes
 * @param maxHourlyRange   the longest range the usage API answers hour by hour (exports have no limit)
 * @param exportFetchSize  documents fetched from MongoDB per cursor batch during an export
 * @param exportChunkRows  rows written to the response per network chunk
 * @param allowCallsWithoutCaller whether API calls that name no caller (none came through the gateway) are answered,
 *                         for every fleet; only for a run on one's own machine (the local profile)
 */
@Validated
@ConfigurationProperties("tiltfleet.analytics")
public record AnalyticsProperties(@NotNull Duration idleTimeout, @NotNull Duration arrivalDisorder, @Min(1) @Max(100_000) int reorderWindow,
                                  @NotNull Duration maxClockSkew, @NotNull Duration storeRetryMax,
                                  @NotNull Duration maxHourlyRange, @Min(10) @Max(10_000) int exportFetchSize, @Min(1) @Max(10_000) int exportChunkRows,
                                  boolean allowCallsWithoutCaller) {
}
