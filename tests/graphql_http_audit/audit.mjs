// Runs graphql-http's GraphQL-over-HTTP audit against the URL given; prints the results as JSON.
import { auditServer } from 'graphql-http';

const url = process.argv[2];
if (!url) {
  console.error('usage: node audit.mjs URL');
  process.exit(2);
}

async function bodyOf(response) {
  try {
    return await response.clone().text();
  } catch {
    return null;
  }
}

const results = await auditServer({ url });
const report = [];
for (const result of results) {
  const failed = result.status !== 'ok';
  report.push({
    id: result.id,
    name: result.name,
    status: result.status,
    reason: failed ? result.reason : null,
    responseStatus: failed ? result.response.status : null,
    body: failed ? await bodyOf(result.response) : null,
  });
}
console.log(JSON.stringify(report));
