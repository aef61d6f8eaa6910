// Schemathesis-style fuzzing of a running netra from the checked-in
// schema.graphql: for every root query and mutation field, many requests
// with generated argument values (valid and hostile: NUL characters, huge
// strings, huge lists, LIKE wildcards, extreme numbers, unknown enum values,
// nulls), sent as anonymous and as a Bawaslu RI token with every
// permission. A finding is any response with `extensions.code: INTERNAL`,
// any 5xx, or any body that is not a JSON GraphQL response.
//
// Usage: node .ci/audit/fuzz.mjs <graphql url> <schema.graphql> [token] [cases per field] [seed]
// Exits 1 when it finds anything. Deterministic for a given seed.
import { readFileSync } from 'node:fs';
import {
  buildSchema, getNamedType, isEnumType, isInputObjectType, isListType, isNonNullType,
  isObjectType, isInterfaceType, isUnionType, isScalarType, isLeafType,
} from 'graphql';

const [url, schemaPath, token = '', perFieldArg = '12', seedArg = '11'] = process.argv.slice(2);
if (!url || !schemaPath) {
  console.error('usage: node fuzz.mjs <graphql url> <schema.graphql> [token] [cases per field] [seed]');
  process.exit(2);
}
const schema = buildSchema(readFileSync(schemaPath, 'utf8'));
const perField = Number(perFieldArg);

// A small deterministic PRNG (mulberry32).
let state = Number(seedArg) >>> 0;
function rand() {
  state = (state + 0x6d2b79f5) >>> 0;
  let t = state;
  t = Math.imul(t ^ (t >>> 15), t | 1);
  t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
  return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
}
const pick = (xs) => xs[Math.floor(rand() * xs.length)];

const HOSTILE_STRINGS = [
  '', ' ', '16', '16.73', '16.73.01', 'BAWASLU-16.73', '198609262015051001', '%', '_', '%%', '\\', "'", '"', '\u0000',
  'a\u0000b', 'x'.repeat(1001), 'y'.repeat(50 * 1024), '🏃‍♂️'.repeat(300), '\ud800', 'Robert\'); DROP TABLE "case";--',
  '../../etc/passwd', '${jndi:x}', 'NaN', '-1', '2024-13-45', '9999-12-31', '0000-00-00', '2024-11-27',
  '2024-11-27T03:00:00Z', 'not-a-date', '\r\n', '<script>', 'UEs6MQ', 'Q2FzZTox', 'Q2FzZTow',
];
const INTS = [0, -1, 1, 2, 100, 101, 2147483647, -2147483648, 1e6];

function genScalar(type) {
  switch (type.name) {
    case 'Int': return pick(INTS);
    case 'Float': return pick([0, -1.5, 1e308, 3.14]);
    case 'Boolean': return rand() < 0.5;
    case 'ID': return pick(['UEs6MQ', 'Q2FzZTox', 'x', '\u0000', '', 'QWdlbmN5OjE', 'y'.repeat(5000)]);
    case 'Date': return pick(['2024-11-27', '2024-02-30', '2024-1-5', '0001-01-01', '9999-12-31', 'x', '']);
    case 'DateTime': return pick(['2024-11-27T03:00:00Z', '2024-11-27T10:00:00.123456+07:00', '2024-11-27T03:00:00', '2024-11-27', 'x', '']);
    default: return pick(HOSTILE_STRINGS);
  }
}

function genValue(type, depth) {
  if (isNonNullType(type)) return genValue(type.ofType, depth);
  if (rand() < 0.08) return null;
  if (isListType(type)) {
    const r = rand();
    const n = r < 0.05 ? 40000 : r < 0.1 ? 101 : Math.floor(rand() * 4);
    if (n > 200) {
      // A long list of one short item: long lists test the list bounds,
      // long items are tested on their own (a body stays a few MiB).
      let one = genValue(type.ofType, depth + 1);
      for (let tries = 0; tries < 20 && JSON.stringify(one ?? null).length > 40; tries += 1) {
        one = genValue(type.ofType, depth + 1);
      }
      if (JSON.stringify(one ?? null).length > 40) one = null;
      return Array(n).fill(one);
    }
    return Array.from({ length: n }, () => genValue(type.ofType, depth + 1));
  }
  if (isEnumType(type)) return rand() < 0.05 ? 'NO_SUCH_VALUE' : pick(type.getValues()).name;
  if (isInputObjectType(type)) {
    const out = {};
    if (depth > 4) return out;
    for (const f of Object.values(type.getFields())) {
      if (isNonNullType(f.type) || rand() < 0.5) out[f.name] = genValue(f.type, depth + 1);
    }
    return out;
  }
  if (isScalarType(type)) return genScalar(type);
  return null;
}

function typeRef(type) {
  if (isNonNullType(type)) return `${typeRef(type.ofType)}!`;
  if (isListType(type)) return `[${typeRef(type.ofType)}]`;
  return type.name;
}

// A selection set of leaf fields, a little nested, for any output type.
function selection(type, depth) {
  const named = getNamedType(type);
  if (isLeafType(named)) return '';
  if (isUnionType(named)) return '{ __typename }';
  if (!isObjectType(named) && !isInterfaceType(named)) return '';
  const fields = Object.values(named.getFields());
  const chosen = [];
  for (const f of fields) {
    const leaf = isLeafType(getNamedType(f.type));
    const needsArgs = f.args.some((a) => isNonNullType(a.type));
    if (needsArgs) continue;
    if (leaf && rand() < 0.6) chosen.push(f.name);
    else if (!leaf && depth < 3 && rand() < 0.25) {
      const sub = selection(f.type, depth + 1);
      if (sub) chosen.push(`${f.name} ${sub}`);
    }
  }
  if (chosen.length === 0) chosen.push('__typename');
  return `{ ${chosen.join(' ')} }`;
}

function operation(kind, field) {
  const defs = [];
  const args = [];
  const variables = {};
  for (const a of field.args) {
    if (!isNonNullType(a.type) && rand() < 0.4) continue;
    defs.push(`$${a.name}: ${typeRef(a.type)}`);
    args.push(`${a.name}: $${a.name}`);
    variables[a.name] = genValue(a.type, 0);
  }
  const head = defs.length ? `${kind} Fuzz(${defs.join(', ')})` : `${kind} Fuzz`;
  const call = args.length ? `${field.name}(${args.join(', ')})` : field.name;
  return { query: `${head} { ${call} ${selection(field.type, 0)} }`, variables };
}

const findings = [];
let sent = 0;
let refusedEarly = 0;
// netra's body limit (NETRA_BODY_LIMIT, 1 MiB by default). A body over it
// is answered 413 before it is read, and the connection is closed; the
// client may then see the reset (EPIPE, ECONNRESET) instead of the answer.
const BODY_LIMIT = Number(process.env.NETRA_BODY_LIMIT || 1024 * 1024);
async function send(body, auth) {
  const headers = { 'content-type': 'application/json', accept: 'application/graphql-response+json, application/json' };
  if (auth) headers.authorization = `Bearer ${auth}`;
  const payload = JSON.stringify(body);
  let res;
  let text;
  try {
    res = await fetch(url, { method: 'POST', headers, body: payload });
    text = await res.text();
  } catch (err) {
    sent += 1;
    if (Buffer.byteLength(payload) > BODY_LIMIT) {
      refusedEarly += 1;
      return;
    }
    findings.push({ why: `connection failed (${err.cause?.code || err.message})`, body });
    return;
  }
  sent += 1;
  let json;
  try {
    json = JSON.parse(text);
  } catch {
    findings.push({ why: `not JSON (${res.status})`, body, text: text.slice(0, 300) });
    return;
  }
  if (res.status === 413 && Buffer.byteLength(payload) <= BODY_LIMIT) {
    findings.push({ why: '413 for a body within the limit', body });
    return;
  }
  const internal = (json.errors || []).filter((e) => e.extensions?.code === 'INTERNAL' || !e.extensions?.code);
  if (res.status >= 500 || internal.length > 0) {
    findings.push({ why: `status ${res.status}, ${internal.length} INTERNAL/uncoded`, body, errors: internal.slice(0, 3) });
  }
}

const roots = [['query', schema.getQueryType()], ['mutation', schema.getMutationType()]];
for (const [kind, root] of roots) {
  if (!root) continue;
  for (const field of Object.values(root.getFields())) {
    for (let i = 0; i < perField; i += 1) {
      const body = operation(kind, field);
      const auth = token && i % 2 === 1 ? token : '';
      await send(body, auth);
    }
  }
}
console.log(`fuzz: ${sent} requests to ${url} (${refusedEarly} over the body limit, closed before the answer was read), ${findings.length} findings`);
for (const f of findings.slice(0, 20)) {
  const body = JSON.stringify(f.body);
  console.log(`- ${f.why}: ${body.length > 400 ? `${body.slice(0, 400)}…` : body}\n  ${JSON.stringify(f.errors || f.text)}`);
}
process.exit(findings.length ? 1 : 0);
