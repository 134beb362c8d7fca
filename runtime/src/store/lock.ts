/**
 * The data folder's exclusive lock: a `LOCK` file holding the owner's pid. It is created
 * with its content in one step (written to a temporary file, then hard-linked into place, which
 * fails if the lock exists), so nobody ever sees an empty lock. A lock whose pid is no longer
 * running is stale (the owner died without closing) and is taken over.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { isCode, removeQuietly } from './files.js';

const LOCK_FILE = 'LOCK';
/** Locks held by this process, so a second Store on the same folder fails here too. */
const held = new Set<string>();

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    // EPERM: it exists but belongs to someone else.
    return isCode(e, 'EPERM');
  }
}

/**
 * The data folder is held by another running process (or keeps changing hands between them).
 * A user situation, not a bug: command lines report it as a plain message, not a stack trace.
 */
export class DataFolderLockedError extends Error {}

export class DirLock {
  private released = false;

  private constructor(private readonly file: string) {}

  static acquire(dir: string): DirLock {
    const file = path.join(fs.realpathSync(dir), LOCK_FILE);
    if (held.has(file)) throw new Error(`data folder ${dir} is already open in this process (pid ${process.pid})`);
    const tmp = `${file}.${process.pid}.tmp`;
    fs.writeFileSync(tmp, `${process.pid}\n`);
    try {
      for (let attempt = 0; attempt < 5; attempt++) {
        try {
          fs.linkSync(tmp, file);
          held.add(file);
          return new DirLock(file);
        } catch (e) {
          if (!isCode(e, 'EEXIST')) throw e;
        }
        const owner = readPid(file);
        if (owner !== undefined && owner !== process.pid && isAlive(owner)) {
          throw new DataFolderLockedError(`data folder ${dir} is locked by another running process (pid ${owner}); close that process first`);
        }
        // Stale: the owner is gone (or it was an earlier, unclosed store of a process that
        // had our pid). Move it aside and look at what was moved: if another process took the
        // lock over in the meantime, its live lock goes back.
        const aside = `${file}.stale.${process.pid}`;
        try {
          fs.renameSync(file, aside);
        } catch (e) {
          if (isCode(e, 'ENOENT')) continue;
          throw e;
        }
        const moved = readPid(aside);
        if (moved !== undefined && moved !== owner && moved !== process.pid && isAlive(moved)) {
          try {
            fs.linkSync(aside, file);
          } catch (e) {
            if (!isCode(e, 'EEXIST')) throw e;
          }
          removeQuietly(aside);
          throw new DataFolderLockedError(`data folder ${dir} is locked by another running process (pid ${moved}); close that process first`);
        }
        removeQuietly(aside);
      }
      throw new DataFolderLockedError(`data folder ${dir}: could not take the lock (it keeps changing hands)`);
    } finally {
      removeQuietly(tmp);
    }
  }

  release(): void {
    if (this.released) return;
    this.released = true;
    held.delete(this.file);
    if (readPid(this.file) === process.pid) removeQuietly(this.file);
  }
}

function readPid(file: string): number | undefined {
  try {
    const n = Number.parseInt(fs.readFileSync(file, 'utf8').trim(), 10);
    return Number.isSafeInteger(n) && n > 0 ? n : undefined;
  } catch (e) {
    if (isCode(e, 'ENOENT')) return undefined;
    throw e;
  }
}
