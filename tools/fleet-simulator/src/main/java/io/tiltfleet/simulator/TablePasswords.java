package io.tiltfleet.simulator;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** What each table signs in to the broker with, by its account ({@code <fleetId>/<tableId>}); null for none: anonymously. */
@FunctionalInterface
public interface TablePasswords {

    TablePasswords NONE = account -> null;

    String of(String account);

    /** One password for every table (or none at all). */
    static TablePasswords same(String password) {
        return account -> password;
    }

    /** Lines of {@code <fleetId>/<tableId> <password>}; a table not listed signs in without a password, and is refused. */
    static TablePasswords read(Path file) throws IOException {
        Map<String, String> passwords = new HashMap<>();
        List<String> lines = Files.readAllLines(file);
        for (int line = 0; line < lines.size(); line++) {
            String text = lines.get(line).strip();
            if (text.isEmpty() || text.startsWith("#")) {
                continue;
            }
            String[] parts = text.split("\\s+");
            if (parts.length != 2) {
                throw new IllegalArgumentException("line " + (line + 1) + " is not '<fleetId>/<tableId> <password>'");
            }
            passwords.put(parts[0], parts[1]);
        }
        return passwords::get;
    }
}
