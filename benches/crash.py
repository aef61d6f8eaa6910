"""Crash drill driver (benches/crash.sh): writers add evidence to one case
with an Idempotency-Key each, retrying through kill -9 of netra instances,
then every key is checked to have been written exactly once.

Standard library only; traffic to 127.0.0.1 only; bounded in time.
"""
import hashlib
import json
import os
import random
import signal
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request

BIN, ENGINE, DB_URL, PORTS, WRITERS, PER_WRITER, KILLS, WORK = sys.argv[1:9]
PORTS = [int(p) for p in PORTS.split(",")]
WRITERS, PER_WRITER, KILLS = int(WRITERS), int(PER_WRITER), int(KILLS)
DEADLINE = time.monotonic() + 240
ENV = dict(os.environ, DATABASE_URL=DB_URL, RUST_LOG="warn", NETRA_REQUEST_TIMEOUT_SECS="3",
           NETRA_RATE_LIMIT_AGENCY="0", NETRA_DEV_SECRET="bench-only-secret-bench-only-secret-00")
ADD = ("mutation($input: AddEvidenceInput!) { addEvidence(input: $input) { case { version } } }")
servers = {}


def start(port):
    log = open(f"{WORK}/serve-{port}.log", "a")
    servers[port] = subprocess.Popen([BIN, "serve"], env=dict(ENV, NETRA_LISTEN=f"127.0.0.1:{port}"),
                                     stdout=log, stderr=log)
    for _ in range(200):
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/readyz", timeout=1)
            return
        except Exception:
            time.sleep(0.05)
    sys.exit(f"netra on {port} did not start")


def post(port, token, query, variables, key=None, timeout=10):
    headers = {"content-type": "application/json", "authorization": f"Bearer {token}"}
    if key:
        headers["idempotency-key"] = key
    req = urllib.request.Request(f"http://127.0.0.1:{port}/graphql", method="POST", headers=headers,
                                 data=json.dumps({"query": query, "variables": variables}).encode())
    try:
        with urllib.request.urlopen(req, timeout=timeout) as r:
            return r.status, json.load(r), r.headers.get("idempotent-replayed")
    except urllib.error.HTTPError as e:
        return e.code, json.load(e), None


token = subprocess.run([BIN, "token", "--agency", "BAWASLU-16.73", "--permission", "read",
                        "--permission", "write", "--ttl", "1h"], env=ENV, capture_output=True, text=True,
                       check=True).stdout.strip()
for p in PORTS:
    start(p)
_, first, _ = post(PORTS[0], token, "{ cases(first: 50) { edges { node { number state handlingAgency { code } } } } }", {})
number = next(e["node"]["number"] for e in first["data"]["cases"]["edges"]
              if e["node"]["handlingAgency"]["code"] == "BAWASLU-16.73" and e["node"]["state"] not in ("CLOSED",))
stats = {"acknowledged": 0, "replayed": 0, "applied": 0, "stale": 0, "in_progress": 0, "connection": 0,
         "unavailable": 0, "other": []}
lock = threading.Lock()
keys = []


def count(what):
    with lock:
        stats[what] += 1


def version():
    while time.monotonic() < DEADLINE:
        try:
            _, r, _ = post(random.choice(PORTS), token, "query($n: String!) { case(number: $n) { version } }",
                           {"n": number}, timeout=5)
            return r["data"]["case"]["version"]
        except Exception:
            time.sleep(0.1)
    raise SystemExit("no version before the deadline")


def writer(w):
    for i in range(PER_WRITER):
        key = f"drill-{ENGINE}-{w}-{i}"
        sha = hashlib.sha256(key.encode()).hexdigest()
        with lock:
            keys.append(sha)
        v = version()
        while time.monotonic() < DEADLINE:
            variables = {"input": {"caseNumber": number, "expectedVersion": v, "evidence": [
                {"kind": "SCREENSHOT", "description": f"drill {key}", "sha256": sha,
                 "capturedAt": "2024-11-20T03:00:00Z"}]}}
            try:
                status, body, replayed = post(random.choice(PORTS), token, ADD, variables, key)
            except Exception:
                count("connection")  # the instance died mid-request: retry the same request
                time.sleep(0.2)
                continue
            err = (body.get("errors") or [{}])[0]
            code = err.get("extensions", {}).get("code")
            message = err.get("message", "")
            if code is None and body.get("data"):
                count("replayed" if replayed else "acknowledged")
                break
            if code == "CONFLICT" and "was applied" in message:
                count("applied")
                break
            if code == "CONFLICT" and "still in progress" in message:
                count("in_progress")
                time.sleep(0.5)
                continue
            if code == "CONFLICT":
                count("stale")  # another writer moved the version: nothing written, key freed
                v = version()
                continue
            if code in ("SERVICE_UNAVAILABLE", "OVERLOADED"):
                count("unavailable")
                time.sleep(0.2)
                continue
            with lock:
                stats["other"].append((status, code, message[:200]))
            time.sleep(0.2)


def killer():
    for k in range(KILLS):
        time.sleep(random.uniform(0.8, 2.0))
        port = PORTS[k % len(PORTS)]
        servers[port].send_signal(signal.SIGKILL)
        servers[port].wait()
        time.sleep(0.3)
        start(port)


threads = [threading.Thread(target=writer, args=(w,)) for w in range(WRITERS)]
for t in threads:
    t.start()
k = threading.Thread(target=killer)
k.start()
for t in threads + [k]:
    t.join()
for p in PORTS:
    servers[p].send_signal(signal.SIGTERM)
    servers[p].wait(timeout=30)
with open(f"{WORK}/keys.json", "w") as f:
    json.dump({"keys": keys, "case": number, "stats": stats}, f)
print(f"{ENGINE}: {len(PORTS)} instance(s) x {WRITERS} writers x {PER_WRITER} keys, {KILLS} kill -9: "
      + ", ".join(f"{k} {v}" for k, v in stats.items() if k != "other") + f", other {len(stats['other'])}")
for o in stats["other"][:5]:
    print("  other:", o)
