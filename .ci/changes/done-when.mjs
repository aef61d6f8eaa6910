// The change feed's done-when check, against two running netra instances on
// one PostgreSQL database:
//   1. PEMDA-16.73 registers a webhook to a receiver on 127.0.0.1 that
//      verifies every delivery with the `standardwebhooks` library;
//   2. a PEMDA-16.73 "frontend" subscribes on instance A with the graphql-ws
//      client (graphql-transport-ws, token in connection_init);
//   3. BAWASLU-16.73 takes a Lubuk Linggau case from receipt to forwarding on
//      instance B;
//   4. the subscriber must be pushed FORWARDING_SENT within 1 s of the
//      forwardCase response, and the receiver must get it, verified.
// Usage: node done-when.mjs http://127.0.0.1:A http://127.0.0.1:B
// with PEMDA_TOKEN (read, webhooks) and BAWASLU_TOKEN (read, write) set.
import http from "node:http";
import { createClient } from "graphql-ws";
import { Webhook } from "standardwebhooks";
import WebSocket from "ws";

const [a, b] = process.argv.slice(2);
const { PEMDA_TOKEN, BAWASLU_TOKEN } = process.env;
if (!a || !b || !PEMDA_TOKEN || !BAWASLU_TOKEN) {
  console.error("usage: PEMDA_TOKEN=… BAWASLU_TOKEN=… node done-when.mjs URL_A URL_B");
  process.exit(2);
}

const fail = (msg) => {
  console.error(`changes: FAIL ${msg}`);
  process.exit(1);
};
setTimeout(() => fail("timed out after 60 s"), 60_000).unref();

async function gql(base, token, query, variables = {}) {
  const res = await fetch(`${base}/graphql`, {
    method: "POST",
    headers: { "content-type": "application/json", authorization: `Bearer ${token}` },
    body: JSON.stringify({ query, variables }),
  });
  const body = await res.json();
  if (body.errors) fail(`${query.slice(0, 40)}…: ${JSON.stringify(body.errors)}`);
  return body.data;
}

// 1. The receiver, verifying with the library.
let secret = null;
const delivered = [];
let onDelivery = () => {};
const receiver = http.createServer((req, res) => {
  let raw = "";
  req.on("data", (c) => (raw += c));
  req.on("end", () => {
    try {
      const payload = new Webhook(secret).verify(raw, req.headers);
      delivered.push(payload);
      res.writeHead(204).end();
      onDelivery(payload);
    } catch (e) {
      console.error(`changes: a delivery failed verification: ${e.message}`);
      res.writeHead(400).end();
      fail("signature verification");
    }
  });
});
await new Promise((r) => receiver.listen(0, "127.0.0.1", r));
const hookUrl = `http://127.0.0.1:${receiver.address().port}/hook`;
const created = await gql(
  b,
  PEMDA_TOKEN,
  "mutation($input: CreateWebhookInput!) { createWebhook(input: $input) { secret webhook { id } } }",
  { input: { url: hookUrl, changeKinds: ["FORWARDING_SENT"] } },
);
secret = created.createWebhook.secret;
console.log(`changes: webhook ${created.createWebhook.webhook.id} → ${hookUrl}`);

// 2. The subscriber on instance A.
const pushed = [];
let onPush = () => {};
const client = createClient({
  url: `${a.replace(/^http/, "ws")}/graphql`,
  webSocketImpl: WebSocket,
  connectionParams: { authorization: `Bearer ${PEMDA_TOKEN}` },
});
await new Promise((resolve, reject) => {
  client.on("connected", resolve);
  client.subscribe(
    { query: "subscription { changes { cursor kind action case { number state } } }" },
    {
      next: (msg) => {
        const entry = msg.data.changes;
        pushed.push({ at: performance.now(), entry });
        onPush(entry);
      },
      error: (e) => reject(e),
      complete: () => {},
    },
  );
});
await new Promise((r) => setTimeout(r, 300));

// 3. BAWASLU-16.73 on instance B.
const day = (offset) => new Date(Date.now() + 7 * 3600_000 + offset * 86_400_000).toISOString().slice(0, 10);
const step = async (mutation, type, input) =>
  (await gql(b, BAWASLU_TOKEN, `mutation($input: ${type}!) { ${mutation}(input: $input) { case { number version state } } }`, { input }))[mutation].case;
const nip = `198609262015052${String(100 + Math.floor(Math.random() * 900))}`;
let c = await step("receiveCase", "ReceiveCaseInput", {
  source: "LAPORAN", placeCode: "16.73.01", electionRegionCode: "16.73",
  occurredOn: day(-2), knownOn: day(-1), receivedOn: day(0),
  summary: "A civil servant shared a candidate's post (CI).",
  reporter: { kind: "VOTER", name: "CI Reporter", nik: "1673014101900001", voterRegionCode: "16.73.01" },
  allegations: [{ newOfficial: { subjectKind: "PNS", nip, fullName: "CI PNS", position: "Staf", employerCode: "PEMDA-16.73", workRegionCode: "16.73" },
    violationCode: "DIS_SOCMED_INTERACT", actOn: day(-2), description: "Shared a candidate's post." }],
  evidence: [{ kind: "SCREENSHOT", description: "Screenshot", sha256: "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08", sizeBytes: 2048, capturedAt: `${day(-1)}T03:00:00Z` }],
});
const on = (extra = {}) => ({ caseNumber: c.number, expectedVersion: c.version, on: day(0), documentRef: "CI-1", ...extra });
c = await step("startFormalCheck", "StepInput", on());
c = await step("completeFormalCheck", "StepInput", on());
c = await step("startClarification", "StepInput", on());
c = await step("decideCase", "DecideCaseInput", on({ classification: "PERUNDANGAN_LAINNYA" }));
const forwarded = new Promise((resolve) => {
  onPush = (e) => e.kind === "FORWARDING_SENT" && e.case?.number === c.number && resolve(performance.now());
});
const hooked = new Promise((resolve) => {
  onDelivery = (p) => p.type === "FORWARDING_SENT" && p.data.case?.number === c.number && resolve();
});
// Measured from the moment the mutation is sent (its commit is before the response).
const committed = performance.now();
c = await step("forwardCase", "ForwardCaseInput", on({ letterNumber: "CI/001" }));

// 4. Pushed within 1 s, and delivered, verified.
const at = await Promise.race([forwarded, new Promise((r) => setTimeout(() => r(null), 5000))]);
if (at === null) fail(`the subscriber on ${a} was not pushed the forwarding of ${c.number}`);
const ms = Math.round(at - committed);
console.log(`changes: PEMDA-16.73 on ${a} was pushed the forwarding made on ${b} ${ms} ms after forwardCase was sent`);
if (ms > 1000) fail(`pushed after ${ms} ms (more than 1 s)`);
await Promise.race([hooked, new Promise((_, rej) => setTimeout(() => rej(new Error("no webhook delivery")), 15000))]).catch((e) => fail(e.message));
console.log(`changes: the webhook receiver verified ${delivered.length} delivery(ies) with standardwebhooks`);
await client.dispose();
receiver.close();
console.log("changes: ok");
process.exit(0);
