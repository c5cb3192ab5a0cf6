"""Everything that speaks Cypher: the driver, transactions, migrations, and the local Neo4j launcher."""
