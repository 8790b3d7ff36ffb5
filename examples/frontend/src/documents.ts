// The documents this client may send: only these run under CATALOG_TRUSTED_DOCUMENTS=enforce.
import { graphql } from './gql/index.js';

// The README's first query: services with their owner team, product owners and orgs.
export const FirstLook = graphql(`
  query FirstLook {
    services(first: 10, orderBy: { field: NAME, direction: ASC }) {
      totalCount
      edges {
        node {
          slug
          name
          tier
          lifecycle
          ownerTeam { name kind businessUnit { name } }
          productOwners { displayName }
          salesforceOrgs { name kind orgId }
        }
      }
      pageInfo { hasNextPage endCursor }
    }
  }
`);

// Feedback on a service (by slug or global id); a repeat with the same key is `replayed`.
export const SubmitFeedback = graphql(`
  mutation SubmitFeedback($input: SubmitFeedbackInput!) {
    submitFeedback(input: $input) {
      feedback { id kind title status service { slug } }
      replayed
      userErrors { field code message }
    }
  }
`);
