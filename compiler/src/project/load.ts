/**
 * Loading a config project: a folder in the sesam-py layout (`pipes/**.conf.json`,
 * `systems/**.conf.json`, `node-metadata.conf.json`, plus any `*.conf.json` at the top such as
 * the legacy `sesam.conf.json`) or one file holding an entity or an array of entities.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { parseJson } from '../syntax/parser.js';
import type { JsonObject, JsonString, ParseResult } from '../syntax/tree.js';
import { member } from '../syntax/nav.js';

export interface ConfigFile {
  /** Absolute path. */
  readonly path: string;
  /** Path as shown to users (relative to the working directory). */
  readonly display: string;
  /** Path relative to the project root, with forward slashes (`pipes/a.conf.json`). */
  readonly rel: string;
  readonly text: string;
  readonly parse: ParseResult;
}

export type EntityKind = 'pipe' | 'system' | 'metadata' | 'unknown';

/** What an entity's `type` makes it: "pipe", "metadata" or "system:<kind>". */
export function entityKind(type: string | undefined): EntityKind {
  if (type === 'pipe' || type === 'metadata') return type;
  return type !== undefined && type.startsWith('system:') ? 'system' : 'unknown';
}

export interface ConfigEntity {
  readonly file: ConfigFile;
  readonly node: JsonObject;
  readonly id: string | undefined;
  readonly idNode: JsonString | undefined;
  readonly type: string | undefined;
  readonly kind: EntityKind;
}

export interface Project {
  /** Folder the project lives in (for a single file: its folder). */
  readonly root: string;
  readonly files: ConfigFile[];
  readonly entities: ConfigEntity[];
  /** Entities that are not objects (e.g. a number inside the top-level array). */
  readonly strayValues: { file: ConfigFile; range: import('../syntax/tree.js').Range }[];
}

export class ProjectLoadError extends Error {}

/** Finds the config files of a project path (a folder or one file). */
export function configFilesOf(target: string): { root: string; files: string[] } {
  const abs = path.resolve(target);
  let stat: fs.Stats;
  try {
    stat = fs.statSync(abs);
  } catch {
    throw new ProjectLoadError(`No such file or folder: ${target}`);
  }
  if (stat.isFile()) return { root: path.dirname(abs), files: [abs] };
  if (!stat.isDirectory()) throw new ProjectLoadError(`Not a file or folder: ${target}`);
  const files: string[] = [];
  for (const sub of ['pipes', 'systems']) {
    const dir = path.join(abs, sub);
    if (fs.existsSync(dir) && fs.statSync(dir).isDirectory()) collectConfFiles(dir, files);
  }
  for (const name of fs.readdirSync(abs).sort()) {
    const p = path.join(abs, name);
    if (name.endsWith('.conf.json') && fs.statSync(p).isFile()) files.push(p);
  }
  return { root: abs, files };
}

function collectConfFiles(dir: string, out: string[]): void {
  for (const entry of fs.readdirSync(dir, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : 1))) {
    const p = path.join(dir, entry.name);
    if (entry.isDirectory()) collectConfFiles(p, out);
    else if (entry.isFile() && entry.name.endsWith('.conf.json')) out.push(p);
  }
}

export function loadProject(target: string): Project {
  const { root, files } = configFilesOf(target);
  return projectFromFiles(root, files.map((p) => readConfigFile(root, p)));
}

/**
 * One config file of the project at `root`, parsed: read from disk unless its `text` is given
 * (an editor buffer). `display` is how diagnostics name it (default: relative to the cwd).
 */
export function readConfigFile(root: string, p: string, text?: string, display = path.relative(process.cwd(), p) || p): ConfigFile {
  if (text === undefined) {
    try {
      text = fs.readFileSync(p, 'utf8');
    } catch (e) {
      throw new ProjectLoadError(`Cannot read ${p}: ${e instanceof Error ? e.message : String(e)}`);
    }
  }
  // sesam-py writes env files with a BOM; tolerate it in config files too.
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
  const rel = path.relative(root, p).split(path.sep).join('/');
  return { path: p, display, rel, text, parse: parseJson(text) };
}

/** Builds a project from already parsed files (the language server keeps its own buffers). */
export function projectFromFiles(root: string, files: ConfigFile[]): Project {
  const entities: ConfigEntity[] = [];
  const strayValues: Project['strayValues'] = [];
  for (const file of files) {
    const r = file.parse.root;
    if (!r) continue;
    const candidates = r.kind === 'array' ? r.items : [r];
    for (const c of candidates) {
      if (c.kind !== 'object') {
        strayValues.push({ file, range: c.range });
        continue;
      }
      entities.push(classify(file, c));
    }
  }
  return { root, files, entities, strayValues };
}

export function classify(file: ConfigFile, node: JsonObject): ConfigEntity {
  const idMember = member(node, '_id');
  const idNode = idMember?.value?.kind === 'string' ? idMember.value : undefined;
  const typeValue = member(node, 'type')?.value;
  const type = typeValue?.kind === 'string' ? typeValue.value : undefined;
  return { file, node, id: idNode?.value, idNode, type, kind: entityKind(type) };
}
