#!/usr/bin/env python3
"""Prints the query plan of every SELECT that Atrium logged, and flags full scans.

Usage: bench/query_plans.py DATABASE LOG_FILE

DATABASE is a SQLite database file, or a PostgreSQL URL (postgres://…), planned through
`psql`. LOG_FILE is the stderr of `atrium serve` run with RUST_LOG=warn,sqlx::query=debug while
the requests of interest were made (bench/portal_api.sh does this for the portal's lists).

The statements are planned with their parameters unbound. SQLite chooses a plan when it
prepares a statement, before it sees the values; Python's sqlite3 may be an older SQLite than
the one built into Atrium, so a plan can differ in detail; a full scan shows either way.
PostgreSQL plans a prepared statement for its values at first and settles on its generic plan
(the one for any values) after a few runs when that is not worse: the generic plan is printed
(`plan_cache_mode = force_generic_plan`, then `EXPLAIN EXECUTE` with nulls), which is what a
server running the same statements all day mostly executes.
"""
import re
import sqlite3
import subprocess
import sys

ANSI = re.compile(r"\x1b\[[0-9;]*m")
# Tables this small (portals, roles, the company) are read whole on purpose, once per change.
SMALL = 1000
STATEMENT = re.compile(r'db\.statement="((?:[^"\\]|\\.)*)"')


def statements(log_path):
    seen = []
    with open(log_path, encoding="utf-8", errors="replace") as log:
        for line in log:
            match = STATEMENT.search(ANSI.sub("", line))
            if not match:
                continue
            sql = match.group(1).encode().decode("unicode_escape").strip()
            if sql.upper().startswith("SELECT") and sql not in seen:
                seen.append(sql)
    return seen


def show(sql):
    short = re.sub(r"\s+", " ", sql)
    print(f"\n{short[:300]}{' …' if len(short) > 300 else ''}")


def sqlite_plans(path, log_path):
    db = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    full_scans = 0
    print(f"query plans (SQLite {sqlite3.sqlite_version} in Python; parameters unbound)")
    for sql in statements(log_path):
        params = [None] * sql.count("?")
        try:
            plan = db.execute("EXPLAIN QUERY PLAN " + sql, params).fetchall()
        except sqlite3.Error as error:
            print(f"\n-- cannot plan: {error}\n{sql}")
            continue
        show(sql)
        for _, parent, _, detail in plan:
            # "SCAN t" alone reads every row of a table; "SCAN t USING INDEX" walks an index
            # in order and stops at the page's end; SEARCH seeks.
            flag = ""
            scanned = re.match(r"SCAN (\w+)$", detail)
            if scanned and scanned.group(1) != "CONSTANT":
                rows = db.execute(f'SELECT COUNT(*) FROM "{scanned.group(1)}"').fetchone()[0]
                if rows > SMALL:
                    flag = f"   <-- full scan of {rows} rows"
                    full_scans += 1
                else:
                    flag = f"   (a small table of {rows} rows)"
            print(f"    {'  ' if parent else ''}{detail}{flag}")
    return full_scans


def psql(url, script):
    """Runs `script` in one psql session; (ok, output)."""
    done = subprocess.run(
        ["psql", "-X", "-q", "-A", "-t", "-v", "ON_ERROR_STOP=1", "-d", url, "-f", "-"],
        input=script, capture_output=True, text=True,
    )
    return done.returncode == 0, (done.stdout if done.returncode == 0 else done.stderr).strip()


def postgres_plans(url, log_path):
    ok, version = psql(url, "SHOW server_version;")
    if not ok:
        sys.exit(f"cannot reach {url}: {version}")
    print(f"query plans (PostgreSQL {version}; generic plans, parameters unbound)")
    full_scans = 0
    sizes = {}
    for sql in statements(log_path):
        # Prepared with the parameters' types inferred; executed with a null for each of them.
        script = (
            "SET plan_cache_mode = force_generic_plan;\n"
            f"PREPARE planned AS {sql};\n"
            "SELECT 'EXPLAIN (COSTS OFF) EXECUTE planned' "
            "|| coalesce('(' || string_agg('NULL', ', ') || ')', '') "
            "FROM pg_prepared_statements, unnest(parameter_types) "
            "WHERE name = 'planned' \\gexec\n"
        )
        ok, plan = psql(url, script)
        if not ok:
            print(f"\n-- cannot plan: {plan}\n{sql}")
            continue
        show(sql)
        for line in plan.splitlines():
            # "Seq Scan on t" reads every row of a table; index scans seek or walk in order.
            flag = ""
            scanned = re.search(r"Seq Scan on (\w+)", line)
            if scanned:
                table = scanned.group(1)
                if table not in sizes:
                    _, count = psql(url, f'SELECT count(*) FROM "{table}";')
                    sizes[table] = int(count) if count.isdigit() else 0
                if sizes[table] > SMALL:
                    flag = f"   <-- full scan of {sizes[table]} rows"
                    full_scans += 1
                else:
                    flag = f"   (a small table of {sizes[table]} rows)"
            print(f"    {line}{flag}")
    return full_scans


def main():
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    database, log_path = sys.argv[1:3]
    if database.startswith(("postgres://", "postgresql://")):
        full_scans = postgres_plans(database, log_path)
    else:
        full_scans = sqlite_plans(database, log_path)
    print(f"\nfull scans of tables over {SMALL} rows: {full_scans}")


if __name__ == "__main__":
    main()
