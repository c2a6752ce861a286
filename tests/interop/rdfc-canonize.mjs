// Canonicalizes N-Quads datasets with rdf-canonize (RDFC-1.0), the library the Node verifier uses.
// stdin: JSON array of N-Quads documents. stdout: JSON array of {"ok": nquads} or {"error": message}.
import {readFileSync} from 'node:fs';
import rdfCanonize from 'rdf-canonize';

const inputs = JSON.parse(readFileSync(0, 'utf8'));
const results = [];
for(const nquads of inputs) {
  try {
    results.push({ok: await rdfCanonize.canonize(nquads, {
      algorithm: 'RDFC-1.0', inputFormat: 'application/n-quads', format: 'application/n-quads'
    })});
  } catch(e) {
    results.push({error: e.message});
  }
}
process.stdout.write(JSON.stringify(results));
