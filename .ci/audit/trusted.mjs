// Apollo Client's persisted-query link against a started netra: the first
// request sends the hash alone and gets PersistedQueryNotFound, the link
// resends it with the query (netra checks and registers it), and a second
// client's request by hash alone is answered. Exits non-zero otherwise.
// Usage: node trusted.mjs ENDPOINT TOKEN
import { ApolloClient, HttpLink, InMemoryCache, gql } from '@apollo/client/core/index.js';
import { createPersistedQueryLink } from '@apollo/client/link/persisted-queries/index.js';
import { createHash } from 'node:crypto';

const [endpoint, token] = process.argv.slice(2);
const sent = [];
const logged = async (uri, options) => {
  sent.push(JSON.parse(options.body));
  return fetch(uri, options);
};
const client = () => new ApolloClient({
  cache: new InMemoryCache(),
  link: createPersistedQueryLink({ sha256: (q) => createHash('sha256').update(q).digest('hex') }).concat(
    new HttpLink({ uri: endpoint, fetch: logged, headers: { authorization: `Bearer ${token}` } }),
  ),
});
const query = gql`query TrustedCheck { me { agency { code } } }`;
const fail = (why) => { console.error(`trusted: ${why}: ${JSON.stringify(sent)}`); process.exit(1); };

const first = await client().query({ query, fetchPolicy: 'network-only' });
if (!first.data?.me?.agency?.code) fail('no answer');
if (sent.length !== 2 || 'query' in sent[0] || !sent[1].query) fail('expected hash alone, then hash with query');
const second = await client().query({ query, fetchPolicy: 'network-only' });
if (second.data?.me?.agency?.code !== first.data.me.agency.code) fail('the hash alone did not run');
if (sent.length !== 3 || 'query' in sent[2]) fail('the registered hash was not used alone');
console.log(`trusted: Apollo persisted queries: not found, registered, then by hash (${first.data.me.agency.code})`);
