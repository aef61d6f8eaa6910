// graphql-inspector validation of the documented operations against the
// schema file (docs/schema/, one per distinct view) of the agency that sends
// them: the README's first query against every view of a case-reading demo
// token, each walkthrough step of docs/workflow.md against the view of its
// `<!-- as: AGENCY -->`, and this example's own operations against every such
// view. Exits non-zero on the first invalid one.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const root = new URL('../../../', import.meta.url).pathname;
const read = (p) => readFileSync(join(root, p), 'utf8');
// The schema file of a token of `agency` with `permissions` (docs/schema/README.md).
const viewOf = (agency, permissions = ['read', 'write']) =>
  agency === 'BAWASLU' && permissions.includes('audit') ? 'bawaslu-ri-audit'
  : agency.startsWith('BAWASLU') || agency.startsWith('PANWASCAM') ? 'bawaslu'
  : agency === 'BKN' || agency === 'POLRI' || agency === 'TNI'
    || /^(PEMDA|INSPEKTORAT|GAKKUMDU)-/.test(agency) ? 'receiving-agency'
  : agency.startsWith('KEMEN') || agency === 'KASN' ? 'ministry'
  : (() => { throw new Error(`no schema file for ${agency}`); })();

const block = (text, from) => {
  const start = text.indexOf('```graphql\n', from) + '```graphql\n'.length;
  return text.slice(start, text.indexOf('```', start));
};
const byRole = new Map();
const add = (role, name, doc) => {
  if (!byRole.has(role)) byRole.set(role, []);
  byRole.get(role).push([name, doc]);
};

const readme = read('README.md');
const first = block(readme, readme.indexOf('<!-- first-query -->'));
const own = [...read('examples/typescript/src/operations.ts').matchAll(/graphql\(`([\s\S]*?)`\)/g)].map((m) => m[1]);
for (const role of ['bawaslu-ri-audit', 'bawaslu', 'receiving-agency']) {
  add(role, 'readme-first-query', first);
  own.forEach((doc, i) => add(role, `example-${i}`, doc));
}
const workflow = read('docs/workflow.md');
let step = 0;
for (const m of workflow.matchAll(/<!-- as: ([A-Z0-9.-]+) -->/g)) {
  step += 1;
  add(viewOf(m[1]), `workflow-step-${step}`, block(workflow, m.index));
}
if (step < 10) throw new Error(`only ${step} walkthrough steps found`);

const bin = join(root, 'examples/typescript/node_modules/.bin/graphql-inspector');
for (const [role, docs] of byRole) {
  const dir = mkdtempSync(join(tmpdir(), `netra-${role}-`));
  for (const [name, doc] of docs) writeFileSync(join(dir, `${name}.graphql`), doc);
  const schema = join(root, `docs/schema/${role}.graphql`);
  console.log(`validate: ${docs.length} operations against docs/schema/${role}.graphql`);
  execFileSync(bin, ['validate', join(dir, '*.graphql'), schema], { stdio: 'inherit' });
}
console.log('validate: every documented operation fits its role schema');
