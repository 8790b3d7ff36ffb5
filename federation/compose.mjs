// Composes the catalog's subgraph SDL with the toy subgraph into a supergraph, as a
// federation router would run them. Prints the supergraph SDL on success; prints the
// composition errors and exits 1 otherwise.
//
//   node compose.mjs [catalog.graphql] [toy.graphql]
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { composeServices } from "@apollo/composition";
import { parse } from "graphql";

const here = (name) => fileURLToPath(new URL(name, import.meta.url));
const [catalogPath = here("../graphql_schema/subgraph.graphql"), toyPath = here("toy-subgraph.graphql")] =
  process.argv.slice(2);

const subgraphs = [
  { name: "catalog", url: "http://127.0.0.1:8000/subgraph", path: catalogPath },
  { name: "oncall", url: "http://127.0.0.1:4002/graphql", path: toyPath },
].map(({ name, url, path }) => ({ name, url, typeDefs: parse(readFileSync(path, "utf8")) }));

const result = composeServices(subgraphs);
if (result.errors) {
  for (const error of result.errors) {
    console.error(`${error.extensions?.code ?? "ERROR"}: ${error.message}`);
  }
  process.exit(1);
}
for (const hint of result.hints ?? []) {
  console.error(`hint ${hint.definition.code}: ${hint.message}`);
}
process.stdout.write(result.supergraphSdl);
