package io.tiltfleet.systemtests.gateway;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.tiltfleet.contract.TableStatus;
import io.tiltfleet.contract.TelemetryReading;
import io.tiltfleet.simulator.TablePublisher;
import io.tiltfleet.systemtests.LocalStack;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
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
import org.openqa.selenium.TimeoutException;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * A clinic's day at one table in headless Chromium: an operator issues a new table its broker credentials, with
 * which the table signs in; then opens the table from its card, registers it, sees
 * what it reports of itself, checks a patient with glaucoma in, sees that patient's session raise its alert naming
 * them, and changes the fleet's angle limit; a viewer then sees the same panel with nothing to change, and opens the
 * patient's session as a chart with its alert marked.
 * Screenshots go to target/e2e/panel-*.png.
 */
class TablePanelBrowserIT {

    @Test
    void anOperatorRegistersATableChecksAPatientInAndChangesTheFleetsSettingsWhileAViewerOnlyReads() throws Exception {
        assumeTrue(Files.isExecutable(DashboardBrowserIT.CHROMIUM) && Files.isExecutable(DashboardBrowserIT.CHROMEDRIVER),
                "needs Debian's chromium and chromium-driver");
        ScheduledExecutorService readings = Executors.newSingleThreadScheduledExecutor();
        List<AutoCloseable> closing = new ArrayList<>();
        WebDriver browser = null;
        try (LocalStack stack = LocalStack.startWithBrokerAccounts();
             AutoCloseable stopReadings = readings::shutdownNow) {
            browser = chromium();
            WebDriverWait wait = new WebDriverWait(browser, Duration.ofSeconds(45));
            wait.ignoring(StaleElementReferenceException.class);

            // Given an operator who issues the new table t-1 its broker credentials from its panel (the table is not yet known)
            signIn(browser, wait, stack, "tf-operator-local");
            ((JavascriptExecutor) browser).executeScript("openTablePanel('t-1')");
            wait.until(driver -> "NONE".equals(driver.findElement(By.id("credentials-status")).getAttribute("data-status")));
            browser.findElement(By.id("issue-credentials")).click();
            String password = wait.until(driver -> driver.findElement(By.id("issued-password")).getText());
            assertThat(browser.findElement(By.id("credentials-status")).getAttribute("data-status")).isEqualTo("ACTIVE");
            shot(browser, "panel-0-credentials.png");
            browser.findElement(By.id("panel-close")).click();

            // and t-1 signing in with them: online, saying its firmware, at 30 degrees in a session of a patient who has none checked in
            TablePublisher table = TablePublisher.connectAll(stack.mqtt.uri(), "panel", List.of("t-1"), password).get(0);
            closing.add(table);
            table.publishStatus(TableStatus.State.ONLINE, Instant.now()).join();
            AtomicReference<String> session = new AtomicReference<>("s-1");
            AtomicReference<Double> angle = new AtomicReference<>(30.0);
            AtomicLong seq = new AtomicLong();
            AtomicLong sessionStart = new AtomicLong(-1_200);   // the session began 10 minutes ago: the last patient's
            readings.scheduleAtFixedRate(() -> {
                long n = seq.incrementAndGet();
                table.publish(new TelemetryReading("panel", "t-1", n, Instant.now(), session.get(), angle.get(), (n - sessionStart.get()) * 0.5, true));
            }, 0, 500, TimeUnit.MILLISECONDS);

            // When the operator opens the table's card
            openPanel(browser, wait);
            wait.until(driver -> driver.findElement(By.cssSelector("#panel-registry dd[data-field='firmware']")).getText().equals("sim-2.4.1"));

            // and registers the table
            WebElement registry = wait.until(driver -> driver.findElement(By.id("registry-form")));
            registry.findElement(By.name("name")).sendKeys("Bed 7");
            registry.findElement(By.name("site")).sendKeys("Berlin-Mitte");
            registry.findElement(By.name("room")).sendKeys("Room 3");
            registry.findElement(By.cssSelector("button[type=submit]")).click();

            // Then the panel and the card say where it stands
            wait.until(driver -> driver.findElement(By.id("panel-title")).getText().equals("Bed 7 (t-1)"));
            wait.until(driver -> driver.findElement(By.cssSelector(".table[data-table-id='t-1'] .place")).getText().equals("Bed 7 · Room 3"));
            shot(browser, "panel-1-registered.png");

            // When a patient with glaucoma is checked in, and their session begins
            WebElement checkIn = browser.findElement(By.id("check-in-form"));
            checkIn.findElement(By.name("patientRef")).sendKeys("p-17");
            checkIn.findElement(By.cssSelector("input[value='GLAUCOMA']")).click();
            checkIn.findElement(By.cssSelector("button[type=submit]")).click();
            wait.until(driver -> "WAITING".equals(driver.findElement(By.id("check-in-status")).getAttribute("data-status")));
            sessionStart.set(seq.get());
            session.set("s-2");

            // Then their session raises the contraindication alert, naming the patient and the place, and the check-in is in session
            String reason = wait.until(driver -> {
                reopen(driver);
                return driver.findElements(By.cssSelector("#panel-alerts tbody tr")).stream().map(WebElement::getText)
                        .filter(row -> row.contains("CONTRAINDICATED_USE")).findFirst().orElse(null);
            });
            assertThat(reason).contains("patient p-17 checked in; contraindications: glaucoma");
            // the rules store that the session took the check-in up just after its alert: the panel shows it once opened again
            wait.until(driver -> {
                reopen(driver);
                return "IN_SESSION".equals(driver.findElement(By.id("check-in-status")).getAttribute("data-status"));
            });
            shot(browser, "panel-2-checked-in.png");
            browser.findElement(By.id("panel-close")).click();

            // When the operator lowers the fleet's angle limit to 45 degrees
            WebElement limit = wait.until(driver -> driver.findElement(By.cssSelector("#settings-form input[name='maxAngleDeg']")));
            limit.clear();
            limit.sendKeys("45");
            browser.findElement(By.cssSelector("#settings-form input[name='reason']")).sendKeys("new patients");
            browser.findElement(By.cssSelector("#settings-form button[type=submit]")).click();

            // Then it is saved and shown as the fleet's own
            wait.until(driver -> driver.findElement(By.id("settings-status")).getText().startsWith("Saved"));
            wait.until(driver -> "45".equals(driver.findElement(By.cssSelector("#settings-form input[name='maxAngleDeg']")).getAttribute("value")));
            shot(browser, "panel-3-settings.png");

            // And a viewer sees the table and the settings, with nothing to change
            browser.findElement(By.cssSelector("#caller button")).click();
            signIn(browser, wait, stack, "tf-viewer-local");
            openPanel(browser, wait);
            wait.until(driver -> driver.findElement(By.id("panel-title")).getText().equals("Bed 7 (t-1)"));
            wait.until(driver -> "IN_SESSION".equals(driver.findElement(By.id("check-in-status")).getAttribute("data-status")));
            assertThat(browser.findElements(By.id("registry-form"))).isEmpty();
            assertThat(browser.findElements(By.id("check-in-form"))).isEmpty();
            assertThat(browser.findElements(By.id("withdraw-check-in"))).isEmpty();
            assertThat(browser.findElement(By.id("panel-credentials-section")).isDisplayed()).isFalse();

            // When the patient's session ends, the table back upright
            angle.set(0.0);
            session.set(null);

            // Then the viewer opens it as a chart: its angle over time, with the alert it raised marked on it
            WebElement ended = wait.until(driver -> {
                reopen(driver);
                return driver.findElements(By.cssSelector("#panel-sessions tbody tr")).stream()
                        .filter(row -> row.getAttribute("data-session-id").contains("/s-2/")).findFirst().orElse(null);
            });
            ended.findElement(By.className("open-trace")).click();
            WebElement chart = wait.until(driver -> driver.findElement(By.id("trace-chart")));
            assertThat(chart.findElements(By.tagName("path"))).hasSize(1);
            assertThat(chart.findElements(By.cssSelector(".alert-mark[data-alert-type='CONTRAINDICATED_USE']"))).isNotEmpty();
            ((JavascriptExecutor) browser).executeScript("arguments[0].scrollIntoView()", chart);
            shot(browser, "panel-4-session-chart.png");
            browser.findElement(By.id("panel-close")).click();
            WebElement readOnly = wait.until(driver -> driver.findElement(By.cssSelector("#settings-form input[name='maxAngleDeg']")));
            assertThat(readOnly.getAttribute("readonly")).isNotNull();
            assertThat(browser.findElements(By.cssSelector("#settings-form button"))).isEmpty();
            shot(browser, "panel-5-viewer.png");
            // before the stack closes: the page's open event stream would hold the gateway's graceful shutdown for 30 s
            browser.quit();
            browser = null;
        } catch (RuntimeException | AssertionError failure) {
            if (browser != null) {
                shot(browser, "panel-failure.png");
                System.out.println("panel: " + browser.findElement(By.id("panel-error")).getText() + " | status: "
                        + browser.findElement(By.id("status")).getText() + " | settings: " + browser.findElement(By.id("settings-status")).getText());
            }
            throw failure;
        } finally {
            if (browser != null) {
                browser.quit();
            }
            for (AutoCloseable table : closing) {
                table.close();
            }
        }
    }

    private static void signIn(WebDriver browser, WebDriverWait wait, LocalStack stack, String key) {
        browser.get(stack.dashboardUrl());
        wait.until(driver -> driver.findElement(By.id("api-key")).isDisplayed());
        browser.findElement(By.id("api-key")).sendKeys(key);
        browser.findElement(By.cssSelector("#login-form button")).click();
        wait.until(driver -> driver.findElement(By.id("dashboard")).isDisplayed());
        WebElement fleet = browser.findElement(By.id("fleet"));
        fleet.clear();
        fleet.sendKeys("panel");
        browser.findElement(By.cssSelector("#fleet-form button")).click();
    }

    private static void openPanel(WebDriver browser, WebDriverWait wait) {
        wait.until(driver -> {
            driver.findElement(By.cssSelector(".table[data-table-id='t-1']")).click();
            return driver.findElement(By.id("table-panel")).isDisplayed();
        });
    }

    /** Closes and opens the panel again, and waits until it has read the table anew. */
    private static void reopen(WebDriver driver) {
        driver.findElement(By.id("panel-close")).click();
        driver.findElement(By.cssSelector(".table[data-table-id='t-1']")).click();
        try {
            new WebDriverWait(driver, Duration.ofSeconds(10)).until(loaded -> Stream.of("panel-alerts", "panel-check-in")
                    .noneMatch(section -> loaded.findElement(By.id(section)).getText().startsWith("Loading")));
        } catch (TimeoutException slow) {
            // read what is there: the caller's wait asks again
        }
    }

    private static WebDriver chromium() {
        ChromeOptions options = new ChromeOptions();
        options.setBinary(DashboardBrowserIT.CHROMIUM.toFile());
        options.addArguments("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--window-size=1400,1100");
        Map<String, Object> preferences = new HashMap<>();
        options.setExperimentalOption("prefs", preferences);
        ChromeDriverService driver = new ChromeDriverService.Builder().usingDriverExecutable(DashboardBrowserIT.CHROMEDRIVER.toFile())
                .usingAnyFreePort().build();
        return new ChromeDriver(driver, options);
    }

    private static void shot(WebDriver browser, String name) throws Exception {
        Files.write(Files.createDirectories(DashboardBrowserIT.SHOTS).resolve(name), ((TakesScreenshot) browser).getScreenshotAs(OutputType.BYTES));
    }
}
