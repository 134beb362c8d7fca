/**
 * The data folder's exclusive lock: a `LOCK` file naming its owner. It is created with its
 * content in one step (written to a temporary file, then hard-linked into place, which fails if
 * the lock exists), so nobody ever sees an empty lock. A lock whose owner is no longer running
 * is stale (the owner died without closing) and is taken over.
 *
 * The owner is written as `<pid> <start> <boot>`: the pid, the process's start time (field 22
 * of /proc/<pid>/stat, in clock ticks since boot) and the kernel's boot id. A pid alone is not
 * enough: once its owner is gone the pid can be reused by an unrelated process, and the folder
 * would then look locked for as long as that process runs. A lock is live only when a process
 * with its pid exists and, where /proc shows it, has the same start time in the same boot.
 * Without /proc (other systems) the start and boot fields are left out and the pid alone
 * decides, as it does for locks written before the start time was recorded (`<pid>` only).
 * The pid comes first, so anything reading just a leading integer still finds it.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { isCode, removeQuietly } from './files.js';

const LOCK_FILE = 'LOCK';
/** The temporary file a process writes its lock content to before linking it into place. */
const TMP_NAME = /^LOCK\.(\d+)\.tmp$/;
/** Where a process moves a stale lock aside while taking it over. */
const STALE_NAME = /^LOCK\.stale\.(\d+)$/;
/** Locks held by this process, so a second Store on the same folder fails here too. */
const held = new Set<string>();

/** Where process information is read from; tests point it elsewhere to act as a system without /proc. */
export const lockProc = { dir: '/proc' };

/** Who holds (or held) a lock. `start` and `boot` are missing where /proc was not available, and in old locks. */
export interface LockOwner {
  pid: number;
  start?: string;
  boot?: string;
}

/** Field 22 (starttime) of /proc/<pid>/stat, or undefined when that file cannot be read. */
export function processStartTime(pid: number): string | undefined {
  let text: string;
  try {
    text = fs.readFileSync(path.join(lockProc.dir, String(pid), 'stat'), 'utf8');
  } catch {
    return undefined;
  }
  // Field 2 is the command name in parentheses, which may itself hold spaces and parentheses:
  // the fields after it start behind the last ')', at field 3.
  const fields = text.slice(text.lastIndexOf(')') + 2).split(' ');
  const start = fields[22 - 3];
  return start !== undefined && /^\d+$/.test(start) ? start : undefined;
}

function bootId(): string | undefined {
  try {
    const id = fs.readFileSync(path.join(lockProc.dir, 'sys', 'kernel', 'random', 'boot_id'), 'utf8').trim();
    return /^[0-9a-f-]+$/i.test(id) ? id : undefined;
  } catch {
    return undefined;
  }
}

function pidExists(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    // EPERM: it exists but belongs to someone else.
    return isCode(e, 'EPERM');
  }
}

/** This process as a lock owner. */
export function currentOwner(): LockOwner {
  const start = processStartTime(process.pid);
  const boot = start === undefined ? undefined : bootId();
  return { pid: process.pid, start, boot };
}

function formatOwner(o: LockOwner): string {
  return [o.pid, o.start, o.start === undefined ? undefined : o.boot].filter((f) => f !== undefined).join(' ') + '\n';
}

function parseOwner(text: string): LockOwner | undefined {
  const [pidText, start, boot] = text.trim().split(/\s+/);
  const pid = Number.parseInt(pidText ?? '', 10);
  if (!Number.isSafeInteger(pid) || pid <= 0) return undefined;
  const owner: LockOwner = { pid };
  if (start !== undefined && /^\d+$/.test(start)) {
    owner.start = start;
    if (boot !== undefined) owner.boot = boot;
  }
  return owner;
}

function sameOwner(a: LockOwner | undefined, b: LockOwner): boolean {
  return a !== undefined && a.pid === b.pid && a.start === b.start && a.boot === b.boot;
}

/**
 * Whether the process that wrote this owner is still running. A pid that no process has is
 * dead. When the owner's start time is known and /proc shows the process with that pid, the
 * start times (and boot ids) must match: a different one means the pid was reused. When /proc
 * does not show it (no /proc, or processes of other users hidden), the pid alone decides.
 */
export function isOwnerAlive(owner: LockOwner): boolean {
  if (!pidExists(owner.pid)) return false;
  if (owner.start === undefined) return true;
  if (owner.boot !== undefined) {
    const boot = bootId();
    if (boot !== undefined && boot !== owner.boot) return false;
  }
  const start = processStartTime(owner.pid);
  return start === undefined || start === owner.start;
}

/**
 * The data folder is held by another running process (or keeps changing hands between them).
 * A user situation, not a bug: command lines report it as a plain message, not a stack trace.
 */
export class DataFolderLockedError extends Error {}

export class DirLock {
  private released = false;

  private constructor(
    private readonly file: string,
    private readonly owner: LockOwner,
  ) {}

  static acquire(dir: string): DirLock {
    const file = path.join(fs.realpathSync(dir), LOCK_FILE);
    if (held.has(file)) throw new Error(`data folder ${dir} is already open in this process (pid ${process.pid})`);
    const me = currentOwner();
    const tmp = `${file}.${process.pid}.tmp`;
    fs.writeFileSync(tmp, formatOwner(me));
    try {
      for (let attempt = 0; attempt < 5; attempt++) {
        try {
          fs.linkSync(tmp, file);
          held.add(file);
          removeLeftovers(path.dirname(file));
          return new DirLock(file, me);
        } catch (e) {
          if (!isCode(e, 'EEXIST')) throw e;
        }
        const owner = readOwner(file);
        if (owner !== undefined && owner.pid !== process.pid && isOwnerAlive(owner)) {
          throw new DataFolderLockedError(`data folder ${dir} is locked by another running process (pid ${owner.pid}); close that process first`);
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
        const moved = readOwner(aside);
        if (moved !== undefined && !sameOwner(owner, moved) && moved.pid !== process.pid && isOwnerAlive(moved)) {
          try {
            fs.linkSync(aside, file);
          } catch (e) {
            if (!isCode(e, 'EEXIST')) throw e;
          }
          removeQuietly(aside);
          throw new DataFolderLockedError(`data folder ${dir} is locked by another running process (pid ${moved.pid}); close that process first`);
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
    if (sameOwner(readOwner(this.file), this.owner)) removeQuietly(this.file);
  }
}

/**
 * Removes what a process killed while taking the lock leaves behind: its `LOCK.<pid>.tmp`
 * (the owner it meant to write is in it) and `LOCK.stale.<pid>` (a stale lock it had moved
 * aside, named after the mover). Called with the lock held; a file whose process still runs is
 * left alone, as that process may be in the middle of trying for the lock.
 */
function removeLeftovers(dir: string): void {
  let names: string[];
  try {
    names = fs.readdirSync(dir);
  } catch {
    return;
  }
  for (const name of names) {
    const tmp = TMP_NAME.exec(name);
    const match = tmp ?? STALE_NAME.exec(name);
    if (!match) continue;
    const pid = Number(match[1]);
    if (!Number.isSafeInteger(pid) || pid <= 0 || pid === process.pid) continue;
    const file = path.join(dir, name);
    try {
      // The temporary file names its writer fully; the stale file only by the pid in its name.
      const written = tmp ? readOwner(file) : undefined;
      const writer = written?.pid === pid ? written : { pid };
      if (!isOwnerAlive(writer)) removeQuietly(file);
    } catch {
      // Only tidying: the lock is held whatever happens to a leftover.
    }
  }
}

function readOwner(file: string): LockOwner | undefined {
  try {
    return parseOwner(fs.readFileSync(file, 'utf8'));
  } catch (e) {
    if (isCode(e, 'ENOENT')) return undefined;
    throw e;
  }
}
