// Runs the client's documents against a server: `node dist/smoke.js URL SERVICE_SLUG`, the
// token in CATALOG_TOKEN. Prints both results as JSON; exits 1 when either has errors.
import { createClient } from './client.js';
import { FirstLook, SubmitFeedback } from './documents.js';

const [url, service] = process.argv.slice(2);
if (url === undefined || service === undefined) {
  console.error('usage: node dist/smoke.js URL SERVICE_SLUG');
  process.exit(2);
}
const token = process.env['CATALOG_TOKEN'];
const execute = createClient({ url, headers: token ? { Authorization: `Bearer ${token}` } : {} });

const firstLook = await execute(FirstLook);
const submitted = await execute(SubmitFeedback, {
  input: { service, kind: 'IDEA', title: 'Typed client', body: 'Sent by its documentId.' },
});

// Typed all the way: these would not compile against another shape of the schema.
const slugs: string[] = (firstLook.data?.services.edges ?? []).map((edge) => edge.node.slug);
const feedbackId: string | undefined = submitted.data?.submitFeedback.feedback?.id;

console.log(JSON.stringify({ firstLook, submitted, slugs, feedbackId }));
if (firstLook.errors || submitted.errors) {
  process.exitCode = 1;
}
