#!/usr/bin/env python3
"""Keeps a local copy of every case a token may see, fetching only what changed.

A sync job's starting point: standard library only (no install needed). The
first run fetches every case; each later run asks netra for the cases
changed since the last change it saw (`updatedSince`), oldest change first
(`UPDATED_AT_ASC`), page by page, and merges them into the copy.

    NETRA_URL=http://127.0.0.1:8080/graphql NETRA_TOKEN=... python3 sync_cases.py cases.json

The copy is one JSON file: {"since": <last updatedAt seen>, "cases": {number: case}}.
Each run starts OVERLAP before the remembered instant, so a change whose
transaction committed a moment late is not missed; a case seen twice is kept
at its newest `version`.
"""

import datetime
import json
import os
import re
import sys
import urllib.request

QUERY = """
query Changed($since: DateTime, $after: String) {
  cases(filter: { updatedSince: $since }, orderBy: UPDATED_AT_ASC, first: 100, after: $after) {
    pageInfo { hasNextPage endCursor }
    edges { node { number state version updatedAt deadlineOn overdue region { code } handlingAgency { code } } }
  }
}
"""

OVERLAP = datetime.timedelta(minutes=2)


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


def instant(text):
    """Parses netra's ISO 8601 instants (`Z` or `+00:00`, up to nanoseconds,
    which Python before 3.11 does not read: cut to microseconds)."""
    text = re.sub(r"(\.\d{6})\d+", r"\1", text.replace("Z", "+00:00"))
    return datetime.datetime.fromisoformat(text)


def main():
    url = os.environ.get("NETRA_URL", "http://127.0.0.1:8080/graphql")
    token = os.environ["NETRA_TOKEN"]
    path = sys.argv[1] if len(sys.argv) > 1 else "cases.json"
    try:
        with open(path, encoding="utf-8") as f:
            copy = json.load(f)
    except FileNotFoundError:
        copy = {"since": None, "cases": {}}

    since = copy["since"]
    ask_from = (instant(since) - OVERLAP).isoformat() if since else None
    after, changed = None, 0
    while True:
        page = post(url, token, {"since": ask_from, "after": after})
        for edge in page["edges"]:
            node = edge["node"]
            known = copy["cases"].get(node["number"])
            if known is None or known["version"] < node["version"]:
                copy["cases"][node["number"]] = node
                changed += 1
            if since is None or instant(node["updatedAt"]) > instant(since):
                since = node["updatedAt"]
        if not page["pageInfo"]["hasNextPage"]:
            break
        after = page["pageInfo"]["endCursor"]

    copy["since"] = since
    tmp = path + ".tmp"
    with open(tmp, "w", encoding="utf-8") as f:
        json.dump(copy, f, ensure_ascii=False, indent=1, sort_keys=True)
    os.replace(tmp, path)
    print(f"{changed} cases new or changed; {len(copy['cases'])} in {path}; last change {since}", file=sys.stderr)


if __name__ == "__main__":
    main()
