/**
 * The I/O + JSON floor for the end-to-end benchmark: read every entity from its file, parse
 * it, stringify it and write it once — what any implementation must at least do for each
 * entity it stores. The bench passes the input files and the entities of the derived
 * dataset (made beforehand), since the run stores both.
 * Usage: node floor.js OUT_DIR FILE...
 */
import * as fs from 'node:fs';
import * as path from 'node:path';

const [outDir, ...inputs] = process.argv.slice(2);
if (!outDir || inputs.length === 0) {
  process.stderr.write('usage: floor OUT_DIR INPUT...\n');
  process.exit(2);
}
fs.mkdirSync(outDir, { recursive: true });
let count = 0;
for (const input of inputs) {
  const buf = fs.readFileSync(input);
  const out = fs.openSync(path.join(outDir, path.basename(input)), 'w');
  let chunk: string[] = [];
  let start = 0;
  for (;;) {
    const nl = buf.indexOf(10, start);
    const end = nl < 0 ? buf.length : nl;
    if (end > start) {
      const entity = JSON.parse(buf.toString('utf8', start, end)) as unknown;
      chunk.push(JSON.stringify(entity));
      count++;
      if (chunk.length === 10000) {
        fs.writeSync(out, chunk.join('\n') + '\n');
        chunk = [];
      }
    }
    if (nl < 0) break;
    start = nl + 1;
  }
  if (chunk.length) fs.writeSync(out, chunk.join('\n') + '\n');
  fs.fsyncSync(out);
  fs.closeSync(out);
}
process.stdout.write(`${count} entities\n`);
