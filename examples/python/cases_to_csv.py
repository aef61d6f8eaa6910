#!/usr/bin/env python3
"""Pages through every case a token may see and writes them as CSV.

An analyst's starting point: standard library only (no install needed).

    NETRA_URL=http://127.0.0.1:8080/graphql NETRA_TOKEN=... python3 cases_to_csv.py cases.csv

Reading the file with pandas, keep the codes as text:
    pandas.read_csv("cases.csv", dtype={"number": str, "region_code": str})
"""

import csv
import json
import os
import sys
import urllib.request

QUERY = """
query CasesPage($first: Int!, $after: String) {
  cases(first: $first, after: $after) {
    totalCount
    pageInfo { hasNextPage endCursor }
    edges { node { number state receivedOn region { code name } } }
  }
}
"""


def post(url, token, variables):
    """Sends one page request; raises with netra's error code on failure."""
    body = json.dumps({"query": QUERY, "variables": variables}).encode()
    headers = {"content-type": "application/json", "authorization": f"Bearer {token}"}
    with urllib.request.urlopen(urllib.request.Request(url, body, headers)) as resp:
        answer = json.load(resp)
    if answer.get("errors"):
        err = answer["errors"][0]
        raise SystemExit(f"{err.get('extensions', {}).get('code')}: {err['message']}")
    return answer["data"]["cases"]


def main():
    url = os.environ.get("NETRA_URL", "http://127.0.0.1:8080/graphql")
    token = os.environ["NETRA_TOKEN"]
    out = open(sys.argv[1], "w", newline="", encoding="utf-8") if len(sys.argv) > 1 else sys.stdout
    writer = csv.writer(out)
    writer.writerow(["number", "state", "received_on", "region_code", "region_name"])
    after, rows, total = None, 0, None
    while True:
        page = post(url, token, {"first": 100, "after": after})
        total = page["totalCount"]
        for edge in page["edges"]:
            node = edge["node"]
            region = node.get("region") or {}
            writer.writerow([node["number"], node["state"], node["receivedOn"], region.get("code"), region.get("name")])
            rows += 1
        if not page["pageInfo"]["hasNextPage"]:
            break
        after = page["pageInfo"]["endCursor"]
    print(f"{rows} of {total} cases written", file=sys.stderr)


if __name__ == "__main__":
    main()
