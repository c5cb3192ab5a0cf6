// The generic GraphQL-to-Cypher comparison of `make bench` (bench/run.py --generic): @neo4j/graphql 7.6.3 over the
// same Neo4j and data as the API, answering the four shared queries (communes page, a person's 10 posts with authors
// and reaction counts, an organisation's 20 posts with comment counts, the 20 newest listings of a category with
// sellers). A plain Node HTTP server: POST /graphql {query, variables}; parsed and validated documents are cached by
// their text (as a production GraphQL server does); GET /healthz answers once the schema is built.
//
//   NEO4J_URI=bolt://... NEO4J_PASSWORD=... PORT=4000 node server.mjs
//
// The type definitions map the product's labels and relationships (graph/*.py) as they are stored; they carry none
// of the product's rules (privacy, blocks, audiences): a generic translator does not know them.
import http from "node:http";
import { Neo4jGraphQL } from "@neo4j/graphql";
import { GraphQLScalarType, execute, parse, validate } from "graphql";
import neo4j from "neo4j-driver";

// DateTime would need APOC (apoc.date.convertFormat), which a Community server without plugins lacks: the stored
// datetimes are read as they are and written out as ISO text by a custom scalar.
export const typeDefs = /* GraphQL */ `
  scalar Instant

  type Commune @node(labels: ["Commune"]) {
    id: ID!
    code: String!
    name: String!
    kind: String!
  }

  union Actor = Person | Organization

  type Person @node(labels: ["Person"]) {
    id: ID!
    displayName: String!
    assuranceLevel: Int
    status: String
    posts: [Post!]! @relationship(type: "POSTED", direction: OUT)
  }

  type Organization @node(labels: ["Organization"]) {
    id: ID!
    displayName: String!
    status: String
    posts: [Post!]! @relationship(type: "POSTED", direction: OUT)
  }

  type Post @node(labels: ["Post"]) {
    id: ID!
    text: String!
    status: String!
    visibility: String!
    createdAt: Instant!
    author: [Actor!]! @relationship(type: "POSTED", direction: IN)
    reactedBy: [Person!]! @relationship(type: "REACTED", direction: IN)
    comments: [Comment!]! @relationship(type: "ON", direction: IN)
  }

  type Comment @node(labels: ["Comment"]) {
    id: ID!
    text: String!
    status: String!
  }

  type Listing @node(labels: ["Listing"]) {
    id: ID!
    kind: String!
    title: String!
    category: String!
    status: String!
    priceDong: Float
    createdAt: Instant!
    seller: [Actor!]! @relationship(type: "LISTS", direction: IN)
  }
`;

const uri = process.env.NEO4J_URI ?? "bolt://127.0.0.1:7687";
const driver = neo4j.driver(uri, neo4j.auth.basic(process.env.NEO4J_USERNAME ?? "neo4j", process.env.NEO4J_PASSWORD));
const Instant = new GraphQLScalarType({
  name: "Instant",
  description: "A stored Neo4j DateTime, written out as ISO 8601 text.",
  serialize: (value) => value.toString(),
});
const schema = await new Neo4jGraphQL({ typeDefs, driver, resolvers: { Instant } }).getSchema();

if (process.argv.includes("--print-schema")) {
  const { printSchema } = await import("graphql");
  console.log(printSchema(schema));
  await driver.close();
  process.exit(0);
}

const documents = new Map();
function prepared(source) {
  let found = documents.get(source);
  if (found === undefined) {
    const document = parse(source);
    const errors = validate(schema, document);
    found = { document, errors };
    if (documents.size > 1000) documents.clear();
    documents.set(source, found);
  }
  return found;
}

function answer(response, status, body) {
  const text = JSON.stringify(body);
  response.writeHead(status, { "content-type": "application/json", "content-length": Buffer.byteLength(text) });
  response.end(text);
}

const server = http.createServer((request, response) => {
  if (request.method === "GET" && request.url === "/healthz") return answer(response, 200, { status: "ok" });
  if (request.method !== "POST" || request.url !== "/graphql") return answer(response, 404, { error: "not found" });
  const chunks = [];
  request.on("data", (chunk) => chunks.push(chunk));
  request.on("end", async () => {
    try {
      const { query, variables, operationName } = JSON.parse(Buffer.concat(chunks).toString("utf8"));
      const { document, errors } = prepared(query);
      if (errors.length) return answer(response, 200, { errors });
      const result = await execute({ schema, document, operationName, variableValues: variables, contextValue: {} });
      answer(response, 200, result);
    } catch (error) {
      answer(response, 500, { errors: [{ message: String(error) }] });
    }
  });
});
server.keepAliveTimeout = 600_000;

const port = Number(process.env.PORT ?? 4000);
server.listen(port, "127.0.0.1", () => console.log(`generic GraphQL on http://127.0.0.1:${port}/graphql (${uri})`));

for (const signal of ["SIGTERM", "SIGINT"]) {
  process.on(signal, () => {
    server.close();
    driver.close().finally(() => process.exit(0));
  });
}
