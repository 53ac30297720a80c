package io.tiltfleet.notification.channels;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetAddress;
import java.net.UnknownHostException;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class UrlGuardTest {

    /** Names resolve as listed here; literal addresses as the JDK reads them (no DNS involved). */
    static InetAddress[] resolve(String host) throws UnknownHostException {
        return switch (host) {
            case "hooks.example" -> new InetAddress[]{InetAddress.getByAddress(host, new byte[]{93, (byte) 184, (byte) 216, 34})};
            case "rebound.example" -> new InetAddress[]{InetAddress.getByAddress(host, new byte[]{93, (byte) 184, (byte) 216, 34}),
                    InetAddress.getByAddress(host, new byte[]{10, 0, 0, 7})};
            case "nowhere.example" -> throw new UnknownHostException(host);
            default -> InetAddress.getAllByName(host);
        };
    }

    final UrlGuard strict = new UrlGuard(false, false, UrlGuardTest::resolve);

    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource(delimiter = '|', value = {
            "https://hooks.example/x                | ALLOWED    |",
            "https://93.184.216.34/x                | ALLOWED    |",
            "http://hooks.example/x                 | REFUSED    | https",
            "ftp://hooks.example/x                  | REFUSED    | https",
            "/relative/path                         | REFUSED    | absolute",
            "https://user:pw@hooks.example/x        | REFUSED    | user name",
            "https://localhost/x                    | REFUSED    | loopback",          // a name resolving to loopback
            "https://127.0.0.1/x                    | REFUSED    | loopback",
            "https://[::1]/x                        | REFUSED    | loopback",
            "https://10.1.2.3/x                     | REFUSED    | private",
            "https://172.16.0.1/x                   | REFUSED    | private",
            "https://192.168.1.1/x                  | REFUSED    | private",
            "https://[fd00::1]/x                    | REFUSED    | private",           // unique local fc00::/7
            "https://169.254.169.254/latest         | REFUSED    | link-local",        // cloud metadata
            "https://[fe80::1]/x                    | REFUSED    | link-local",
            "https://0.0.0.0/x                      | REFUSED    | unspecified",
            "https://[::]/x                         | REFUSED    | unspecified",
            "https://224.0.0.1/x                    | REFUSED    | multicast",
            "https://[::ffff:127.0.0.1]/x           | REFUSED    | loopback",          // IPv4-mapped
            "https://100.100.100.200/x              | REFUSED    | CGNAT",             // cloud metadata in 100.64.0.0/10
            "https://100.64.0.1/x                   | REFUSED    | CGNAT",
            "https://100.127.255.254/x              | REFUSED    | CGNAT",
            "https://100.128.0.1/x                  | ALLOWED    |",                   // just past 100.64.0.0/10
            "https://198.18.0.1/x                   | REFUSED    | benchmarking",
            "https://198.19.255.254/x               | REFUSED    | benchmarking",
            "https://240.0.0.1/x                    | REFUSED    | reserved",
            "https://255.255.255.254/x              | REFUSED    | reserved",
            "https://255.255.255.255/x              | REFUSED    | broadcast",
            "https://[64:ff9b::a9fe:a9fe]/x         | REFUSED    | NAT64",             // 169.254.169.254 via NAT64
            "https://[2002:a00:1::1]/x              | REFUSED    | 6to4",              // 10.0.0.1 via 6to4
            "https://[::a00:1]/x                    | REFUSED    | IPv4-compatible",   // ::10.0.0.1
            "https://[2606:4700::1111]/x            | ALLOWED    |",
            "https://rebound.example/x              | REFUSED    | private",           // any of its addresses
            "https://nowhere.example/x              | UNRESOLVED | does not resolve",
            "https://exa mple.com/                  | REFUSED    | valid URL"})
    void onlyPublicHttpsAddressesAreAllowed(String url, UrlGuard.Verdict verdict, String reason) {
        UrlGuard.Check check = strict.check(url);

        assertThat(check.verdict()).as(check.reason()).isEqualTo(verdict);
        if (reason != null) {
            assertThat(check.reason()).contains(reason);
        }
    }

    @ParameterizedTest
    @CsvSource({"http://127.0.0.1:9000/hook", "https://localhost/x"})
    void theLocalProfileAllowsPlainHttpAndLoopback(String url) {
        assertThat(new UrlGuard(true, true, UrlGuardTest::resolve).check(url).verdict()).isEqualTo(UrlGuard.Verdict.ALLOWED);
    }
}
