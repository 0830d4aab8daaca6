// Checks lifdag's GraphQL engine against graphql-js (the reference implementation).
//   node check.cjs queries            -> the introspection queries clients send
//   node check.cjs check input.json   -> graphql-js's view of lifdag's introspection result,
//                                        schema text and validation verdicts
// GRAPHQL_JS_DIR names the directory `npm ci` installed graphql into.
'use strict';
const fs = require('fs');
const path = require('path');

const dir = process.env.GRAPHQL_JS_DIR;
if (!dir) {
  console.error('GRAPHQL_JS_DIR is not set');
  process.exit(2);
}
const g = require(path.join(dir, 'node_modules', 'graphql'));

const allOptions = {
  descriptions: true,
  specifiedByUrl: true,
  directiveIsRepeatable: true,
  schemaDescription: true,
  inputValueDeprecation: true,
};

function sortTypes(introspection) {
  const copy = JSON.parse(JSON.stringify(introspection));
  copy.__schema.types.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  return copy;
}

function firstDifference(a, b, where) {
  if (typeof a !== typeof b || Array.isArray(a) !== Array.isArray(b) || (a === null) !== (b === null))
    return `${where}: ${JSON.stringify(a)} != ${JSON.stringify(b)}`;
  if (a !== null && typeof a === 'object') {
    const keys = new Set([...Object.keys(a), ...Object.keys(b)]);
    for (const k of keys) {
      const label = Array.isArray(a) ? `${where}[${k}]` : `${where}.${k}`;
      const more = Array.isArray(a) && a[k] && a[k].name ? `${label}(${a[k].name})` : label;
      const d = firstDifference(a[k], b[k], more);
      if (d) return d;
    }
    return null;
  }
  return a === b ? null : `${where}: ${JSON.stringify(a)} != ${JSON.stringify(b)}`;
}

function check(input) {
  const out = { failures: [], documents: [] };
  let clientSchema;
  try {
    clientSchema = g.buildClientSchema(input.introspectionFull);
    out.printedFull = g.printSchema(clientSchema);
  } catch (e) {
    out.failures.push('buildClientSchema(full introspection): ' + e.message);
  }
  try {
    out.printedDefault = g.printSchema(g.buildClientSchema(input.introspectionDefault));
  } catch (e) {
    out.failures.push('buildClientSchema(default introspection): ' + e.message);
  }
  if (clientSchema) {
    const problems = g.validateSchema(clientSchema);
    for (const p of problems) out.failures.push('validateSchema: ' + p.message);
  }
  try {
    const sdlSchema = g.buildSchema(input.sdl);
    out.reprintedSdl = g.printSchema(sdlSchema);
    const expected = sortTypes(g.introspectionFromSchema(sdlSchema, allOptions));
    const actual = sortTypes(input.introspectionFull);
    const diff = firstDifference(actual, expected, 'data');
    if (diff) out.failures.push('introspection differs from graphql-js on the printed schema: ' + diff);
  } catch (e) {
    out.failures.push('buildSchema(printed SDL): ' + e.message);
  }
  for (const doc of input.documents) {
    let errors;
    try {
      const parsed = g.parse(doc.query);
      errors = clientSchema ? g.validate(clientSchema, parsed).map((e) => e.message) : [];
    } catch (e) {
      errors = [e.message];
    }
    out.documents.push({ name: doc.name, errors });
  }
  return out;
}

const mode = process.argv[2];
if (mode === 'queries') {
  process.stdout.write(
    JSON.stringify({ full: g.getIntrospectionQuery(allOptions), default: g.getIntrospectionQuery() }),
  );
} else if (mode === 'check') {
  const input = JSON.parse(fs.readFileSync(process.argv[3], 'utf8'));
  process.stdout.write(JSON.stringify(check(input)));
} else {
  console.error('usage: node check.cjs queries | check input.json');
  process.exit(2);
}
