package io.tiltfleet.notification.channels;

import java.net.InetAddress;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.UnknownHostException;
import java.util.Locale;

/**
 * Whether the service may call a channel's URL: absolute, https (unless plain http is allowed), no user-info,
 * and a host that neither is nor resolves to a loopback, private, link-local, unspecified, multicast, shared
 * (CGNAT), benchmarking, reserved or broadcast address, nor to an IPv6 address that carries an IPv4 one (NAT64,
 * 6to4, IPv4-compatible), whose IPv4 part the network may route anywhere (unless private addresses are allowed). Otherwise anyone who may edit a fleet's policy could make the service
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
        return bytes.length == 4 ? reservedV4(bytes) : embeddingV6(bytes);
    }

    private static String reservedV4(byte[] bytes) {
        int first = bytes[0] & 0xff;
        int second = bytes[1] & 0xff;
        if (first == 100 && (second & 0xc0) == 64) {
            // 100.64.0.0/10: carrier-grade NAT, and where some clouds answer metadata (100.100.100.200)
            return "shared (CGNAT)";
        }
        if (first == 198 && (second & 0xfe) == 18) {
            return "benchmarking";
        }
        if (first == 255 && second == 255 && (bytes[2] & 0xff) == 255 && (bytes[3] & 0xff) == 255) {
            return "broadcast";
        }
        if ((first & 0xf0) == 0xf0) {
            return "reserved";
        }
        return null;
    }

    private static String embeddingV6(byte[] bytes) {
        if (bytes[0] == 0x20 && bytes[1] == 0x02) {
            return "6to4";
        }
        boolean nat64 = bytes[0] == 0 && bytes[1] == 0x64 && (bytes[2] & 0xff) == 0xff && (bytes[3] & 0xff) == 0x9b;
        boolean zeroToIpv4 = true;
        for (int i = nat64 ? 4 : 0; i < 12; i++) {
            zeroToIpv4 &= bytes[i] == 0;
        }
        if (nat64 && zeroToIpv4) {
            return "NAT64";
        }
        // ::a.b.c.d (:: and ::1 are caught above as unspecified and loopback)
        return zeroToIpv4 ? "IPv4-compatible" : null;
    }
}
