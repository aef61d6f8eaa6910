// The graphql-http server audit (GraphQL over HTTP spec) against a running
// netra. Usage: node .ci/audit/audit.mjs http://127.0.0.1:18110/graphql
// Prints every audit and its result; exits non-zero unless every MUST
// passes and at least MIN_SHOULD of the SHOULDs do.
import { auditServer } from 'graphql-http';

const MIN_SHOULD = 21;
const url = process.argv[2];
if (!url) {
  console.error('usage: node audit.mjs <graphql url>');
  process.exit(2);
}

const results = await auditServer({ url });
const count = { MUST: [0, 0], SHOULD: [0, 0], MAY: [0, 0] };
for (const r of results) {
  const level = r.name.split(' ')[0];
  const ok = r.status === 'ok';
  if (count[level]) {
    count[level][1] += 1;
    if (ok) count[level][0] += 1;
  }
  console.log(`${ok ? 'ok  ' : 'FAIL'} ${r.id} ${r.name}${ok ? '' : ` — ${r.reason}`}`);
}
const [mustOk, must] = count.MUST;
const [shouldOk, should] = count.SHOULD;
const [mayOk, may] = count.MAY;
console.log(`graphql-http audit: MUST ${mustOk}/${must}, SHOULD ${shouldOk}/${should}, MAY ${mayOk}/${may}`);
if (mustOk < must || shouldOk < MIN_SHOULD) {
  console.error(`audit failed: every MUST and at least ${MIN_SHOULD} SHOULD must pass`);
  process.exit(1);
}
