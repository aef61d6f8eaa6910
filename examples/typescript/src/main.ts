// A typed netra client in a few lines: every result type comes from
// graphql-codegen, so `tsc --strict` catches a field that is not in the schema.
// CI type-checks it (`npm run check`); run it with any TypeScript runner, e.g.
// NETRA_URL=http://127.0.0.1:8080/graphql NETRA_TOKEN=… npx tsx src/main.ts
import { print } from 'graphql';
import type { TypedDocumentNode } from '@graphql-typed-document-node/core';
import type { CasesPageQuery } from './gql/graphql';
import { CasesPage, FirstQuery } from './operations';

const url = process.env.NETRA_URL ?? 'http://127.0.0.1:8080/graphql';
const token = process.env.NETRA_TOKEN;

interface GraphQLError { message: string; extensions?: { code?: string } }

/** Sends one operation; throws with netra's error code when it fails. */
export async function request<R, V>(doc: TypedDocumentNode<R, V>, variables: V): Promise<R> {
  const res = await fetch(url, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      ...(token ? { authorization: `Bearer ${token}` } : {}),
    },
    body: JSON.stringify({ query: print(doc), variables }),
  });
  const body = (await res.json()) as { data?: R; errors?: GraphQLError[] };
  if (body.errors?.length) {
    const e = body.errors[0];
    throw new Error(`${e.extensions?.code ?? res.status}: ${e.message} (request id ${res.headers.get('x-request-id')})`);
  }
  if (!body.data) throw new Error(`HTTP ${res.status} without data`);
  return body.data;
}

const first = await request(FirstQuery, {});
console.log(`${first.me?.agency.code} sees ${first.cases.totalCount} cases`);

let after: string | null = null;
let seen = 0;
do {
  const page: CasesPageQuery = await request(CasesPage, { first: 50, after });
  for (const edge of page.cases.edges) {
    seen += 1;
    console.log(`${edge.node.number}\t${edge.node.state}\t${edge.node.region?.name}`);
  }
  after = page.cases.pageInfo.hasNextPage ? page.cases.pageInfo.endCursor ?? null : null;
} while (after);
console.log(`${seen} cases listed`);
