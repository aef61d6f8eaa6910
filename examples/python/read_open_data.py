#!/usr/bin/env python3
"""Reads a published table's open-data CSV with pandas' defaults and checks
that its keys stay text: region codes arrive as `region:16.10`, never as the
float 16.1.

    python3 -m pip install -r requirements.txt
    python3 read_open_data.py http://127.0.0.1:8080/public/publications/1.csv

Exits non-zero when a column does not have the type docs/statistics.md
documents.
"""

import sys

import pandas


def main(source):
    """Loads `source` (a URL or a path) with no options and checks the types."""
    table = pandas.read_csv(source)
    expected = ["kind", "row_dimension", "row_key", "row_label", "column_dimension",
                "column_key", "column_label", "value", "suppressed"]
    if list(table.columns) != expected:
        raise SystemExit(f"unexpected header: {list(table.columns)}")
    if table["suppressed"].dtype != bool:
        raise SystemExit(f"suppressed is {table['suppressed'].dtype}, not bool")
    for column in ["kind", "row_key"]:
        if table[column].dtype != object:
            raise SystemExit(f"{column} is {table[column].dtype}, not text")
    keys = table["row_key"].dropna().tolist() + table["column_key"].dropna().tolist()
    numeric = [k for k in keys if not isinstance(k, str)]
    if numeric:
        raise SystemExit(f"keys read as numbers: {numeric[:5]}")
    regions = table.loc[table["row_dimension"].isin(["PROVINCE", "REGENCY", "DISTRICT"]), "row_key"].dropna()
    if not regions.str.startswith("region:").all():
        raise SystemExit(f"region keys without their prefix: {regions.tolist()[:5]}")
    codes = regions.str.removeprefix("region:")
    # Whole numbers stay whole when asked for: withheld values are <NA>.
    values = pandas.read_csv(source, dtype={"value": "Int64"})["value"]
    print(f"{source}: {len(table)} lines, {codes.nunique()} region codes kept as text "
          f"({', '.join(sorted(codes.unique())[:3])}…), {values.isna().sum()} withheld values")


if __name__ == "__main__":
    if len(sys.argv) != 2:
        raise SystemExit("usage: read_open_data.py URL-OR-PATH")
    main(sys.argv[1])
