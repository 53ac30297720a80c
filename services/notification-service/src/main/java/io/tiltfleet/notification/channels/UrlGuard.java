package io.tiltfleet.notification.channels;

import java.net.InetAddress;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.UnknownHostException;
import java.util.Locale;

/**
 * Whether the service may call a channel's URL: absolute, https (unless plain http is allowed), no user-info,
 * and a host that neither is nor resolves to a loopback, private, link-local, unspecified or multicast address
 * (unless private addresses are allowed). Otherwise anyone who may edit a fleet's policy could make the service
 * call into the platform's own network (server-side request forgery). Checked when a policy is stored and again
 * before every send, since a name may resolve elsewhere by then.
 */
public final class UrlGuard {

    /** Resolves a host name; the JDK's resolver outside unit tests. */
    @FunctionalInterface
    public interface Resolver {
        InetAddress[] resolve(String host) throws UnknownHostException;
    }

    public enum Verdict { ALLOWED, REFUSED, UNRESOLVED }

    /** @param reason why not, for a problem body or a delivery record; null when allowed */
    public record Check(Verdict verdict, String reason) {
        static Check allowed() {
            return new Check(Verdict.ALLOWED, null);
        }

        static Check refused(String reason) {
            return new Check(Verdict.REFUSED, reason);
        }
    }

    private final boolean allowPlainHttp;
    private final boolean allowPrivateAddresses;
    private final Resolver resolver;

    public UrlGuard(boolean allowPlainHttp, boolean allowPrivateAddresses, Resolver resolver) {
        this.allowPlainHttp = allowPlainHttp;
        this.allowPrivateAddresses = allowPrivateAddresses;
        this.resolver = resolver;
    }

    /** Resolves the host: may block, so never on a reactive thread. */
    public Check check(String url) {
        URI uri;
        try {
            uri = new URI(url);
        } catch (URISyntaxException e) {
            return Check.refused("is not a valid URL");
        }
        if (!uri.isAbsolute() || uri.getHost() == null) {
            return Check.refused("must be an absolute URL with a host");
        }
        String scheme = uri.getScheme().toLowerCase(Locale.ROOT);
        if (!scheme.equals("https") && !(allowPlainHttp && scheme.equals("http"))) {
            return Check.refused("must use https");
        }
        if (uri.getRawUserInfo() != null) {
            return Check.refused("must not carry a user name or password");
        }
        if (allowPrivateAddresses) {
            return Check.allowed();
        }
        try {
            for (InetAddress address : resolver.resolve(uri.getHost())) {
                String kind = forbiddenKind(address);
                if (kind != null) {
                    return Check.refused("host " + uri.getHost() + " is or resolves to a " + kind + " address (" + address.getHostAddress() + ")");
                }
            }
        } catch (UnknownHostException e) {
            return new Check(Verdict.UNRESOLVED, "host " + uri.getHost() + " does not resolve");
        }
        return Check.allowed();
    }

    /** What the address is that a channel must not name, or null for a public address. */
    static String forbiddenKind(InetAddress address) {
        byte[] bytes = address.getAddress();
        if (address.isLoopbackAddress()) {
            return "loopback";
        }
        if (address.isAnyLocalAddress() || (bytes.length == 4 && bytes[0] == 0)) {
            return "unspecified";
        }
        if (address.isLinkLocalAddress()) {
            return "link-local";
        }
        if (address.isMulticastAddress()) {
            return "multicast";
        }
        // RFC 1918 (isSiteLocalAddress for IPv4), unique-local fc00::/7, and the deprecated site-local fec0::/10
        if (address.isSiteLocalAddress() || (bytes.length == 16 && (bytes[0] & 0xfe) == 0xfc)) {
            return "private";
        }
        return null;
    }
}
