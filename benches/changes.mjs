// The change feed's benchmark client (benches/changes.sh starts netra):
// SUBSCRIBERS graphql-ws subscribers and one webhook receiver follow the
// feed while WRITERS concurrent writers commit ENTRIES intakes (one entry
// each). Reports entries/s through the outbox, pushes/s to the subscribers,
// deliveries/s to the webhook, commit-to-delivery latency p50/p99 (from the
// entry's recordedAt to its arrival), and the intake mutation's req/s.
// Loopback only, bounded by ENTRIES.
import http from "node:http";
import { createClient } from "graphql-ws";
import WebSocket from "ws";

const base = process.argv[2];
const { TOKEN, HOOK_TOKEN } = process.env; // BAWASLU-16.73 (read, write); (read, webhooks)
const SUBSCRIBERS = Number(process.env.SUBSCRIBERS ?? 100);
const ENTRIES = Number(process.env.ENTRIES ?? 1000);
const WRITERS = Number(process.env.WRITERS ?? 8);
const WEBHOOK = process.env.WEBHOOK !== "off";

async function gql(token, query, variables = {}) {
  const res = await fetch(`${base}/graphql`, {
    method: "POST",
    headers: { "content-type": "application/json", authorization: `Bearer ${token}` },
    body: JSON.stringify({ query, variables }),
  });
  const body = await res.json();
  if (body.errors) throw new Error(JSON.stringify(body.errors));
  return body.data;
}

const pct = (xs, p) => {
  if (!xs.length) return NaN;
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))];
};

// The webhook receiver.
const hookLatency = [];
let hooked = 0;
let receiver;
if (WEBHOOK) {
  receiver = http.createServer((req, res) => {
    let raw = "";
    req.on("data", (c) => (raw += c));
    req.on("end", () => {
      const b = JSON.parse(raw);
      hooked += 1;
      hookLatency.push(Date.now() - Date.parse(b.data.recordedAt));
      res.writeHead(204).end();
    });
  });
  await new Promise((r) => receiver.listen(0, "127.0.0.1", r));
  await gql(HOOK_TOKEN, "mutation($i: CreateWebhookInput!) { createWebhook(input: $i) { secret } }", {
    i: { url: `http://127.0.0.1:${receiver.address().port}/hook`, changeKinds: ["CASE_RECEIVED"] },
  });
}

// The subscribers.
const subLatency = [];
let pushed = 0;
const clients = [];
await Promise.all(
  Array.from({ length: SUBSCRIBERS }, () => {
    const client = createClient({
      url: `${base.replace(/^http/, "ws")}/graphql`,
      webSocketImpl: WebSocket,
      connectionParams: { authorization: `Bearer ${TOKEN}` },
      lazy: false,
    });
    clients.push(client);
    return new Promise((resolve, reject) => {
      client.on("connected", resolve);
      client.subscribe(
        { query: "subscription { changes(filter: { kinds: [CASE_RECEIVED] }) { recordedAt case { number } } }" },
        {
          next: ({ data }) => {
            pushed += 1;
            subLatency.push(Date.now() - Date.parse(data.changes.recordedAt));
          },
          error: reject,
          complete: () => {},
        },
      );
    });
  }),
);
await new Promise((r) => setTimeout(r, 500));

// The writers: ENTRIES intakes in Lubuk Linggau.
const day = new Date(Date.now() + 7 * 3600_000).toISOString().slice(0, 10);
const RECEIVE = "mutation($input: ReceiveCaseInput!) { receiveCase(input: $input) { case { number } } }";
let next = 0;
let conflicts = 0;
const started = performance.now();
await Promise.all(
  Array.from({ length: WRITERS }, async () => {
    while (next < ENTRIES) {
      next += 1;
      // Concurrent intakes of one office may race for the next case number
      // (CONFLICT, "submit again"): retried, and counted.
      for (;;) {
        try {
          await receiveOne();
          break;
        } catch (e) {
          if (!e.message.includes("CONFLICT")) throw e;
          conflicts += 1;
        }
      }
    }
  }),
);
const writeSecs = (performance.now() - started) / 1000;
console.log(`writers: ${conflicts} numbering conflicts retried`);

async function receiveOne() {
      await gql(TOKEN, RECEIVE, {
        input: {
          source: "TEMUAN", placeCode: "16.73.01", electionRegionCode: "16.73",
          occurredOn: day, knownOn: day, receivedOn: day, summary: "Benchmark finding.",
          allegations: [{ nip: process.env.NIP, violationCode: "DIS_SOCMED_INTERACT", actOn: day, description: "Benchmark." }],
        },
      });
}

// Wait for the pushes and deliveries to drain (at most 60 s).
const expected = ENTRIES * SUBSCRIBERS;
const deadline = Date.now() + 60_000;
while ((pushed < expected || (WEBHOOK && hooked < ENTRIES)) && Date.now() < deadline) {
  await new Promise((r) => setTimeout(r, 100));
}
const allSecs = (performance.now() - started) / 1000;
const r = (x) => Math.round(x);
console.log(`writers: ${ENTRIES} intakes by ${WRITERS} writers in ${writeSecs.toFixed(1)} s: ${r(ENTRIES / writeSecs)} req/s = entries/s through the outbox`);
if (SUBSCRIBERS) {
  console.log(`subscribers: ${SUBSCRIBERS}, ${pushed}/${expected} pushes in ${allSecs.toFixed(1)} s: ${r(pushed / allSecs)} pushes/s; commit-to-push p50 ${pct(subLatency, 50)} ms, p99 ${pct(subLatency, 99)} ms`);
}
if (WEBHOOK) {
  console.log(`webhook: ${hooked}/${ENTRIES} deliveries: ${r(hooked / allSecs)} deliveries/s; commit-to-delivery p50 ${pct(hookLatency, 50)} ms, p99 ${pct(hookLatency, 99)} ms`);
}
for (const c of clients) await c.dispose();
receiver?.close();
process.exit(0);
