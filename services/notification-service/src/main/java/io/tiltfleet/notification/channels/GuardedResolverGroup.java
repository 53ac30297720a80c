package io.tiltfleet.notification.channels;

import io.netty.resolver.AddressResolver;
import io.netty.resolver.AddressResolverGroup;
import io.netty.resolver.InetNameResolver;
import io.netty.resolver.InetSocketAddressResolver;
import io.netty.util.concurrent.EventExecutor;
import io.netty.util.concurrent.Promise;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.List;
import reactor.core.scheduler.Schedulers;

/**
 * Resolves the hosts the senders connect to and refuses every address the {@link UrlGuard} forbids. The guard
 * looked the name up before the send, but a name can resolve elsewhere by the time of the connection (DNS
 * rebinding), so the addresses actually connected to are checked too. Lookups block, so they run off the event loop.
 */
final class GuardedResolverGroup extends AddressResolverGroup<InetSocketAddress> {

    @Override
    protected AddressResolver<InetSocketAddress> newResolver(EventExecutor executor) {
        return new InetSocketAddressResolver(executor, new InetNameResolver(executor) {
            @Override
            protected void doResolve(String host, Promise<InetAddress> promise) {
                Schedulers.boundedElastic().schedule(() -> {
                    try {
                        promise.trySuccess(allowed(host, InetAddress.getByName(host)));
                    } catch (UnknownHostException e) {
                        promise.tryFailure(e);
                    }
                });
            }

            @Override
            protected void doResolveAll(String host, Promise<List<InetAddress>> promise) {
                Schedulers.boundedElastic().schedule(() -> {
                    try {
                        List<InetAddress> all = new ArrayList<>();
                        for (InetAddress address : InetAddress.getAllByName(host)) {
                            all.add(allowed(host, address));
                        }
                        promise.trySuccess(all);
                    } catch (UnknownHostException e) {
                        promise.tryFailure(e);
                    }
                });
            }
        });
    }

    private static InetAddress allowed(String host, InetAddress address) throws UnknownHostException {
        String kind = UrlGuard.forbiddenKind(address);
        if (kind != null) {
            throw new UnknownHostException("host " + host + " now resolves to a " + kind + " address (" + address.getHostAddress() + ")");
        }
        return address;
    }
}
