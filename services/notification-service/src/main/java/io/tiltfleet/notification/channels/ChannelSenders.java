package io.tiltfleet.notification.channels;

import io.netty.channel.ChannelOption;
import io.tiltfleet.notification.NotificationProperties;
import io.tiltfleet.notification.policies.Channel;
import java.time.Duration;
import java.util.function.Function;
import org.springframework.http.MediaType;
import org.springframework.http.client.reactive.ReactorClientHttpConnector;
import org.springframework.mail.MailException;
import org.springframework.mail.SimpleMailMessage;
import org.springframework.mail.javamail.JavaMailSender;
import org.springframework.stereotype.Component;
import org.springframework.web.reactive.function.client.WebClient;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;
import reactor.netty.http.client.HttpClient;
import tools.jackson.databind.json.JsonMapper;

/**
 * Sends one notification over one channel, within the send timeout, and says how it went. Redirects are not
 * followed: a receiver could otherwise send the service on to an address the {@link UrlGuard} refused.
 */
@Component
public class ChannelSenders {

    private final WebClient http;
    private final JavaMailSender mail;
    private final JsonMapper json;
    private final Duration timeout;
    private final String from;

    ChannelSenders(JavaMailSender mail, JsonMapper json, NotificationProperties properties) {
        this.timeout = properties.sendTimeout();
        HttpClient client = HttpClient.create().followRedirect(false).responseTimeout(timeout)
                .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, (int) Math.min(timeout.toMillis(), 5_000));
        if (!properties.allowPrivateAddresses()) {
            client = client.resolver(new GuardedResolverGroup());
        }
        this.http = WebClient.builder().clientConnector(new ReactorClientHttpConnector(client)).build();
        this.mail = mail;
        this.json = json;
        this.from = "tiltfleet-notifications@" + properties.publicBaseUrl().getHost();
    }

    /** @param forRecipient the notification as one recipient gets it (each has its own ack link): the channel id for HTTP channels */
    public Mono<SendResult> send(Channel channel, Function<String, Notification> forRecipient) {
        Mono<SendResult> send = switch (channel.kind()) {
            case WEBHOOK -> webhook(channel, forRecipient.apply(channel.id()));
            case SLACK -> post(channel.url(), json.writeValueAsBytes(Messages.slack(forRecipient.apply(channel.id()))), null, null);
            case TEAMS -> post(channel.url(), json.writeValueAsBytes(Messages.teams(forRecipient.apply(channel.id()))), null, null);
            case EMAIL -> email(channel, forRecipient);
        };
        return send.timeout(timeout.plusSeconds(1))
                .onErrorResume(e -> Mono.just(new SendResult(SendResult.Outcome.RETRY, describe(e))));
    }

    private Mono<SendResult> webhook(Channel channel, Notification notification) {
        byte[] body = json.writeValueAsBytes(notification);
        return post(channel.url(), body, Signature.of(channel.secret(), body), notification.idempotencyKey());
    }

    private Mono<SendResult> post(String url, byte[] body, String signature, String idempotencyKey) {
        return http.post().uri(url).contentType(MediaType.APPLICATION_JSON).headers(headers -> {
                    if (signature != null) {
                        headers.set(Signature.HEADER, signature);
                        headers.set(Signature.IDEMPOTENCY_HEADER, idempotencyKey);
                    }
                }).bodyValue(body)
                .exchangeToMono(response -> response.releaseBody().thenReturn(SendResult.ofStatus(response.statusCode().value())));
    }

    /** One message per recipient, each with its own ack link; JavaMail blocks, so it runs off the reactive threads. */
    private Mono<SendResult> email(Channel channel, Function<String, Notification> forRecipient) {
        return Flux.fromIterable(channel.recipients()).concatMap(recipient -> Mono.fromRunnable(() -> {
                    Notification notification = forRecipient.apply(recipient);
                    SimpleMailMessage message = new SimpleMailMessage();
                    message.setFrom(from);
                    message.setTo(recipient);
                    message.setSubject(Messages.emailSubject(notification));
                    message.setText(Messages.emailBody(notification));
                    mail.send(message);
                }).subscribeOn(Schedulers.boundedElastic()))
                .then(Mono.just(new SendResult(SendResult.Outcome.DELIVERED, "accepted by the SMTP relay for "
                        + channel.recipients().size() + " recipient(s)")));
    }

    private static String describe(Throwable e) {
        Throwable root = e instanceof MailException && e.getCause() != null ? e.getCause() : e;
        String message = root.getMessage() == null ? "" : ": " + root.getMessage().lines().findFirst().orElse("");
        return root.getClass().getSimpleName() + message;
    }
}
