package io.tiltfleet.systemtests.gateway;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.tiltfleet.contract.CallerHeaders;
import io.tiltfleet.contract.TelemetryReading;
import io.tiltfleet.embedded.LocalWebhookReceiver;
import io.tiltfleet.embedded.LoopbackHttp;
import io.tiltfleet.simulator.TablePublisher;
import io.tiltfleet.systemtests.LocalStack;
import java.io.File;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.StaleElementReferenceException;
import org.openqa.selenium.TakesScreenshot;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * A fleet operator's afternoon in headless Chromium (Debian's chromium and chromedriver): sign in,
 * watch a table's angle move, see a table put under maintenance marked so, see an over-angle alert
 * arrive, acknowledge it, see an alert raised while the page was cut off from the live stream once it
 * reconnects, download the sessions as CSV.
 * Screenshots go to target/e2e/.
 */
class DashboardBrowserIT {

    static final Path CHROMIUM = Path.of("/usr/bin/chromium");
    static final Path CHROMEDRIVER = Path.of("/usr/bin/chromedriver");
    static final Path SHOTS = Path.of("target", "e2e");

    @Test
    void anOperatorSeesTheFleetLiveAcknowledgesAnAlertAndExportsSessions() throws Exception {
        assumeTrue(Files.isExecutable(CHROMIUM) && Files.isExecutable(CHROMEDRIVER), "needs Debian's chromium and chromium-driver");
        Path downloads = Files.createDirectories(SHOTS.resolve("downloads")).toAbsolutePath();
        try (Stream<Path> old = Stream.concat(Files.list(SHOTS), Files.list(downloads))) {
            old.filter(Files::isRegularFile).forEach(file -> file.toFile().delete());
        }
        ScheduledExecutorService tables = Executors.newSingleThreadScheduledExecutor();
        WebDriver browser = null;
        try (LocalStack stack = LocalStack.start();
             TablePublisher moving = TablePublisher.connect(stack.mqtt.uri(), "e2e", "t-1");
             TablePublisher finished = TablePublisher.connect(stack.mqtt.uri(), "e2e", "t-2");
             TablePublisher lateTable = TablePublisher.connect(stack.mqtt.uri(), "e2e", "t-3");
             LocalWebhookReceiver refusing = LocalWebhookReceiver.start(0, "not-the-policy-secret", line -> { });
             AutoCloseable stopTables = tables::shutdownNow) {
            // Given t-2 has had a short session (for the export), and t-1 is tilting slowly between 20 and 40 degrees
            Instant start = Instant.now().minusSeconds(20);
            for (int second = 0; second <= 10; second++) {
                double angle = second == 10 ? 0 : 35;
                finished.publish(new TelemetryReading("e2e", "t-2", second + 1, start.plusSeconds(second), angle > 0 ? "s-2" : null,
                        angle, second, true)).join();
            }
            AtomicReference<Double> target = new AtomicReference<>(20.0);
            AtomicLong seq = new AtomicLong();
            tables.scheduleAtFixedRate(() -> {
                long n = seq.incrementAndGet();
                double swing = n % 40 < 20 ? n % 40 : 40 - n % 40;   // 20 to 40 and back, a degree every half second
                double angle = target.get() >= 60 ? target.get() : 20 + swing;
                moving.publish(new TelemetryReading("e2e", "t-1", n, Instant.now(), "s-1", angle, n * 0.5, true))
                        .exceptionally(failure -> {
                            System.out.println("t-1 reading " + n + " not acknowledged: " + failure);
                            return null;
                        });
            }, 0, 500, TimeUnit.MILLISECONDS);

            // and fleet e2e's notifications go to a receiver that refuses them all (it expects another signing secret)
            HttpResponse<String> policy = LoopbackHttp.send(stack.gateway.port(), "PUT", "/api/fleets/e2e/notification-policies",
                    "{\"channels\":[{\"id\":\"e2e-hook\",\"kind\":\"WEBHOOK\",\"url\":\"http://127.0.0.1:" + refusing.port()
                            + LocalWebhookReceiver.PATH + "\",\"secret\":\"the-policy-secret-0123\"}],"
                            + "\"rules\":[{\"tiers\":[{\"after\":\"PT0S\",\"channels\":[\"e2e-hook\"]}]}]}",
                    Map.of("X-API-Key", "tf-supervisor-local", "Content-Type", "application/json"));
            assertThat(policy.statusCode()).as(policy.body()).isEqualTo(200);
            browser = chromium(downloads);
            // the page redraws a card or the alert list on every event: an element found a moment ago may be gone
            WebDriverWait wait = new WebDriverWait(browser, Duration.ofSeconds(45));
            wait.ignoring(StaleElementReferenceException.class);

            // When the operator signs in and opens fleet e2e
            browser.get(stack.dashboardUrl());
            wait.until(driver -> driver.findElement(By.id("api-key")).isDisplayed());
            browser.findElement(By.id("api-key")).sendKeys("tf-supervisor-local");
            browser.findElement(By.cssSelector("#login-form button")).click();
            wait.until(driver -> driver.findElement(By.id("dashboard")).isDisplayed());
            WebElement fleet = browser.findElement(By.id("fleet"));
            fleet.clear();
            fleet.sendKeys("e2e");
            browser.findElement(By.cssSelector("#fleet-form button")).click();

            // Then t-1's angle changes on the page without a reload
            String firstAngle = wait.until(driver -> angleOf(driver, "t-1"));
            wait.until(driver -> {
                String now = angleOf(driver, "t-1");
                return now != null && !now.equals(firstAngle) ? now : null;
            });
            // and t-2, quiet since its last reading, shows that last state: back at 0, no session
            wait.until(driver -> angleOf(driver, "t-2") != null && Double.parseDouble(angleOf(driver, "t-2")) == 0);
            String quietTable = wait.until(driver -> driver.findElement(By.cssSelector(".table[data-table-id='t-2'] .meta")).getText());
            assertThat(quietTable).startsWith("no session");
            shot(browser, "1-live-angle.png");

            // When t-2 is put under maintenance, its card says so, until when (the page looks again every 15 s)
            HttpResponse<String> maintenance = LoopbackHttp.send(stack.gateway.port(), "PUT", "/api/fleet/e2e/tables/t-2/maintenance",
                    "{\"until\":\"" + Instant.now().plusSeconds(3600) + "\",\"reason\":\"new ankle belt\"}",
                    Map.of("X-API-Key", "tf-supervisor-local", "Content-Type", "application/json"));
            assertThat(maintenance.statusCode()).as(maintenance.body()).isEqualTo(200);
            String badge = wait.until(driver -> driver.findElements(By.cssSelector(".table[data-table-id='t-2'] .badge.maintenance")).stream()
                    .map(WebElement::getText).findFirst().orElse(null));
            assertThat(badge).startsWith("maintenance until");

            // When t-1 goes to 80 degrees, its over-angle alert appears
            target.set(80.0);
            String alertId = wait.until(driver -> driver.findElements(By.cssSelector("#alerts tr[data-state='ACTIVE_UNACKNOWLEDGED']"))
                    .stream().filter(row -> row.getText().contains("OVER_ANGLE")).map(row -> row.getAttribute("data-alert-id"))
                    .findFirst().orElse(null));
            By alertRow = By.cssSelector("#alerts tr[data-alert-id='" + alertId + "']");
            String alert = wait.until(driver -> driver.findElement(alertRow).getText());
            String card = wait.until(driver -> driver.findElement(By.cssSelector(".table[data-table-id='t-1']")).getAttribute("class"));
            assertThat(alert).contains("CRITICAL", "t-1");
            assertThat(card).contains("alerting");
            // and the page says that its notification could not be delivered, naming the channel
            String failing = wait.until(driver -> {
                WebElement banner = driver.findElement(By.id("notification-failures"));
                return banner.isDisplayed() ? banner.getText() : null;
            });
            assertThat(failing).contains("e2e-hook");
            shot(browser, "2-alert.png");

            // And the operator acknowledges it
            wait.until(driver -> {
                driver.findElement(alertRow).findElement(By.tagName("button")).click();
                return true;
            });
            String acknowledged = wait.until(driver -> "ACTIVE_ACKNOWLEDGED".equals(driver.findElement(alertRow).getAttribute("data-state"))
                    ? driver.findElement(alertRow).getText() : null);
            assertThat(acknowledged).contains("OVER_ANGLE", "by sam");
            shot(browser, "3-acknowledged.png");

            // When the page's stream is cut off while t-3 goes over its limit, and comes back after the alert was published
            stack.safetyLink.cut();
            wait.until(driver -> driver.findElement(By.id("status")).getText().contains("interrupted"));
            Instant over = Instant.now();
            for (int second = 0; second <= 3; second++) {
                lateTable.publish(new TelemetryReading("e2e", "t-3", second + 1, over.plusSeconds(second), "s-3", 80, second, true)).join();
            }
            Map<String, String> asTheGateway = Map.of(CallerHeaders.CALLER, "e2e-test", CallerHeaders.FLEETS, CallerHeaders.EVERY_FLEET);
            await().atMost(Duration.ofSeconds(30)).until(() -> stack.safety.send("GET", "/api/alerts?fleetId=e2e&tableId=t-3", null,
                    asTheGateway).body().contains("OVER_ANGLE"));
            stack.safetyLink.restore();

            // Then, reconnected, the page shows the alert it missed (the stream replays it after Last-Event-ID)
            wait.until(driver -> driver.findElements(By.cssSelector("#alerts tr[data-state='ACTIVE_UNACKNOWLEDGED']")).stream()
                    .anyMatch(row -> row.getText().startsWith("t-3") && row.getText().contains("OVER_ANGLE")));
            shot(browser, "4-missed-alert-after-reconnect.png");

            // And sees usage counted in the fleet's local days (e2e keeps the default zone)
            String usage = wait.until(driver -> {
                String text = driver.findElement(By.id("usage-status")).getText();
                return text.contains("days in") ? text : null;
            });
            assertThat(usage).endsWith("(days in UTC)");

            // And downloads the sessions as CSV
            browser.findElement(By.id("export-csv")).click();
            File csv = wait.until(driver -> {
                File[] files = downloads.toFile().listFiles((dir, name) -> name.startsWith("tiltfleet_e2e_sessions_") && name.endsWith(".csv"));
                return files != null && files.length == 1 ? files[0] : null;
            });
            List<String> lines = Files.readAllLines(csv.toPath());
            assertThat(lines.get(0)).startsWith("session_id,fleet_id,table_id");
            assertThat(lines).anySatisfy(line -> assertThat(line).startsWith("e2e/t-2/s-2/"));
            shot(browser, "5-exported.png");
            // before the stack closes: the page's open event stream would hold the gateway's graceful shutdown for 30 s
            browser.quit();
            browser = null;
        } catch (RuntimeException | AssertionError failure) {
            if (browser != null) {
                shot(browser, "failure.png");
                System.out.println("page status: " + browser.findElement(By.id("status")).getText() + " | "
                        + browser.findElement(By.id("usage-status")).getText() + " | tables: " + browser.findElement(By.id("tables")).getText());
            }
            throw failure;
        } finally {
            if (browser != null) {
                browser.quit();
            }
        }
    }

    /** Read in one script, so that a redraw between finding the card and reading it cannot get in the way. */
    private static String angleOf(WebDriver driver, String tableId) {
        Object angle = ((JavascriptExecutor) driver).executeScript(
                "const e = document.querySelector(\".table[data-table-id='\" + arguments[0] + \"'] .angle\"); return e ? e.dataset.angle : null;",
                tableId);
        return angle == null || angle.toString().isEmpty() ? null : angle.toString();
    }

    private static WebDriver chromium(Path downloads) {
        ChromeOptions options = new ChromeOptions();
        options.setBinary(CHROMIUM.toFile());
        options.addArguments("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--window-size=1400,1100");
        Map<String, Object> preferences = new HashMap<>();
        preferences.put("download.default_directory", downloads.toString());
        preferences.put("download.prompt_for_download", false);
        options.setExperimentalOption("prefs", preferences);
        ChromeDriverService driver = new ChromeDriverService.Builder().usingDriverExecutable(CHROMEDRIVER.toFile()).usingAnyFreePort().build();
        return new ChromeDriver(driver, options);
    }

    private static void shot(WebDriver browser, String name) throws Exception {
        Files.write(Files.createDirectories(SHOTS).resolve(name), ((TakesScreenshot) browser).getScreenshotAs(OutputType.BYTES));
    }
}
