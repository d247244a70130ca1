"""A local Neo4j Community server for development and tests, run from jars fetched with Maven.

`pom.xml` names the jars, `RolodexNeo4j.java` is the tiny launcher (embedded DBMS + Bolt on
127.0.0.1), and `server.py` fetches, compiles, starts, stops and reports on it.
"""
