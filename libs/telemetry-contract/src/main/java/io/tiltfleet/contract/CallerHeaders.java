package io.tiltfleet.contract;

/**
 * HTTP headers through which the gateway tells the services who is calling. The gateway replaces whatever a
 * client sent under these names, so the services may trust them on requests that came through it.
 */
public final class CallerHeaders {

    /** Who the caller is, as the services record it (e.g. who acknowledged an alert). */
    public static final String CALLER = "X-TiltFleet-Caller";
    /** The fleets the caller may see, comma-separated, or {@link #EVERY_FLEET}. */
    public static final String FLEETS = "X-TiltFleet-Fleets";
    public static final String EVERY_FLEET = "*";

    private CallerHeaders() {
    }
}
