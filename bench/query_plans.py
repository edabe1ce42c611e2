#!/usr/bin/env python3
"""Prints SQLite's query plan of every SELECT that Atrium logged, and flags full scans.

Usage: bench/query_plans.py DATABASE_FILE LOG_FILE

LOG_FILE is the stderr of `atrium serve` run with RUST_LOG=warn,sqlx::query=debug while the
requests of interest were made (bench/portal_api.sh does this for the portal's lists). The
statements are planned with their parameters unbound: SQLite chooses a plan when it prepares
a statement, before it sees the values. Python's sqlite3 may be an older SQLite than the one
built into Atrium, so a plan can differ in detail; a full scan shows either way.
"""
import re
import sqlite3
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


def main():
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    db = sqlite3.connect(f"file:{sys.argv[1]}?mode=ro", uri=True)
    full_scans = 0
    print(f"query plans (SQLite {sqlite3.sqlite_version} in Python; parameters unbound)")
    for sql in statements(sys.argv[2]):
        params = [None] * sql.count("?")
        try:
            plan = db.execute("EXPLAIN QUERY PLAN " + sql, params).fetchall()
        except sqlite3.Error as error:
            print(f"\n-- cannot plan: {error}\n{sql}")
            continue
        short = re.sub(r"\s+", " ", sql)
        print(f"\n{short[:300]}{' …' if len(short) > 300 else ''}")
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
    print(f"\nfull scans of tables over {SMALL} rows: {full_scans}")


if __name__ == "__main__":
    main()
