import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.CountDownLatch;

import org.neo4j.dbms.api.DatabaseManagementService;
import org.neo4j.dbms.api.DatabaseManagementServiceBuilder;

/**
 * Starts Neo4j Community embedded, with the Bolt connector, for HanoiSmart's development and tests.
 *
 * Usage: java -cp 'lib/*:classes' Launcher HOME_DIR CONFIG_FILE
 *
 * Everything else comes from CONFIG_FILE (a neo4j.conf written by graph/local_neo4j.py). The
 * password of the built-in "neo4j" user is read from the environment variable
 * HANOISMART_NEO4J_PASSWORD and set through the system database on the first start of a fresh
 * store (while Neo4j still requires the default password to be changed). The process runs until it receives SIGTERM/SIGINT,
 * then shuts the DBMS down cleanly through a shutdown hook.
 */
public final class Launcher {
    private Launcher() {}

    public static void main(String[] args) throws Exception {
        if (args.length != 2) {
            System.err.println("usage: Launcher HOME_DIR CONFIG_FILE");
            System.exit(2);
        }
        Path home = Path.of(args[0]).toAbsolutePath();
        Path config = Path.of(args[1]).toAbsolutePath();
        String password = System.getenv("HANOISMART_NEO4J_PASSWORD");
        Files.createDirectories(home);

        DatabaseManagementService dbms = new DatabaseManagementServiceBuilder(home)
                .loadPropertiesFromFile(config)
                .build();
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            System.out.println("hanoismart-launcher: shutting down Neo4j");
            dbms.shutdown();
            stopped.countDown();
        }, "neo4j-shutdown"));

        if (password != null && !password.isEmpty()) {
            // Only a fresh DBMS still has the default password that must be changed: set ours then.
            // (Neo4j refuses to "change" a password to the value it already has.)
            boolean fresh = dbms.database("system").executeTransactionally(
                    "SHOW USERS YIELD user, passwordChangeRequired WHERE user = 'neo4j' "
                            + "RETURN passwordChangeRequired",
                    Map.of(),
                    result -> result.hasNext() && Boolean.TRUE.equals(result.next().get("passwordChangeRequired")));
            if (fresh) {
                dbms.database("system").executeTransactionally(
                        "ALTER USER neo4j SET PASSWORD $password CHANGE NOT REQUIRED",
                        Map.of("password", password));
                System.out.println("hanoismart-launcher: initial password of user neo4j set");
            }
        }
        System.out.println("hanoismart-launcher: Neo4j started, Bolt listening as configured");
        System.out.flush();
        stopped.await();
    }
}
