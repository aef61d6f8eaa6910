// The operations this example sends: the README's first query, and the page
// of cases an analyst walks through. graphql-codegen reads them from here.
import { graphql } from './gql';

/** The README's first query; it works for every role that has cases. */
export const FirstQuery = graphql(`
  query FirstQuery {
    me { agency { code kind } permissions }
    cases(first: 5) {
      totalCount
      pageInfo { hasNextPage endCursor }
      edges {
        cursor
        node {
          number state receivedOn
          region { code name }
          allegations { violationCode phase official { nip fullName position } }
          sanctions { sanctionCode severity decreeNumber effectiveFrom effectiveTo }
          timeline { action toState occurredAt actorAgency { code } }
        }
      }
    }
  }
`);

/** One page of the caller's cases, newest first. */
export const CasesPage = graphql(`
  query CasesPage($first: Int!, $after: String) {
    cases(first: $first, after: $after) {
      totalCount
      pageInfo { hasNextPage endCursor }
      edges { node { id number state receivedOn region { code name } } }
    }
  }
`);
