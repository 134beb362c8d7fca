/**
 * The data folder's lock file: who owns it (pid, start time, boot id), telling a live owner
 * from a pid that was reused, old pid-only locks, and the files a kill during acquisition leaves.
 */
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { Store } from '../../src/store/index.js';
import { lockProc, processStartTime } from '../../src/store/lock.js';
import { removeDir, tempDir } from './store-helpers.js';

const hasProc = fs.existsSync(`/proc/${process.pid}/stat`);

/** A running process that has nothing to do with any data folder. */
function unrelatedProcess(): Promise<ChildProcess> {
  const child = spawn(process.execPath, ['-e', 'process.stdout.write("up\\n"); setInterval(() => {}, 1 << 30)'], { stdio: ['ignore', 'pipe', 'ignore'] });
  return new Promise((resolve, reject) => {
    child.stdout!.once('data', () => resolve(child));
    child.once('error', reject);
  });
}

function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    child.once('exit', () => resolve());
    child.kill('SIGKILL');
  });
}

/** The pid of a process that has ended. */
async function deadPid(): Promise<number> {
  const child = spawn(process.execPath, ['-e', ''], { stdio: 'ignore' });
  await new Promise((resolve) => child.once('exit', resolve));
  return child.pid!;
}

function bootId(): string {
  return fs.readFileSync('/proc/sys/kernel/random/boot_id', 'utf8').trim();
}

describe('store: data folder lock owner', () => {
  let dir: string;
  const children: ChildProcess[] = [];
  beforeEach(() => {
    dir = tempDir('lock');
  });
  afterEach(async () => {
    lockProc.dir = '/proc';
    for (const c of children.splice(0)) await stop(c);
    removeDir(dir);
  });

  async function live(): Promise<ChildProcess> {
    const c = await unrelatedProcess();
    children.push(c);
    return c;
  }

  it('records the pid with the process start time and boot id, and releases only its own lock', function () {
    if (!hasProc) this.skip();
    const store = Store.open(dir);
    const fields = fs.readFileSync(path.join(dir, 'LOCK'), 'utf8').trim().split(' ');
    assert.deepEqual(fields, [String(process.pid), processStartTime(process.pid)!, bootId()]);
    // Field 22 of /proc/<pid>/stat, read past the parenthesised command name.
    const stat = fs.readFileSync('/proc/self/stat', 'utf8');
    assert.equal(fields[1], stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19]);
    store.close();
    assert.ok(!fs.existsSync(path.join(dir, 'LOCK')));
  });

  it('takes over a lock whose pid now belongs to an unrelated running process', async function () {
    if (!hasProc) this.skip();
    const other = await live();
    const start = processStartTime(other.pid!)!;
    // The lock's owner had this pid but started at another time: the pid was reused.
    fs.writeFileSync(path.join(dir, 'LOCK'), `${other.pid} ${BigInt(start) + 1n} ${bootId()}\n`);
    const store = Store.open(dir);
    assert.equal(fs.readFileSync(path.join(dir, 'LOCK'), 'utf8').trim().split(' ')[0], String(process.pid));
    store.close();
    // The same pid and start time but an earlier boot: also a different process.
    fs.writeFileSync(path.join(dir, 'LOCK'), `${other.pid} ${start} 00000000-0000-0000-0000-000000000000\n`);
    Store.open(dir).close();
    assert.ok(!fs.existsSync(path.join(dir, 'LOCK')));
  });

  it('respects a lock whose pid and start time match a running process', async function () {
    if (!hasProc) this.skip();
    const other = await live();
    const lock = `${other.pid} ${processStartTime(other.pid!)} ${bootId()}\n`;
    fs.writeFileSync(path.join(dir, 'LOCK'), lock);
    assert.throws(() => Store.open(dir), new RegExp(`locked by another running process \\(pid ${other.pid}\\)`));
    assert.equal(fs.readFileSync(path.join(dir, 'LOCK'), 'utf8'), lock, 'the live lock is left as it was');
  });

  it('understands old locks holding only a pid', async () => {
    const other = await live();
    fs.writeFileSync(path.join(dir, 'LOCK'), `${other.pid}\n`);
    assert.throws(() => Store.open(dir), new RegExp(`locked by another running process \\(pid ${other.pid}\\)`));
    fs.writeFileSync(path.join(dir, 'LOCK'), `${await deadPid()}\n`);
    const store = Store.open(dir);
    assert.equal(fs.readFileSync(path.join(dir, 'LOCK'), 'utf8').trim().split(' ')[0], String(process.pid));
    store.close();
  });

  it('falls back to the pid alone where /proc is not available', async () => {
    const other = await live();
    lockProc.dir = path.join(dir, 'no-proc');
    Store.open(dir).close();
    // Without /proc no start time is recorded ...
    const store = Store.open(dir);
    assert.equal(fs.readFileSync(path.join(dir, 'LOCK'), 'utf8'), `${process.pid}\n`);
    store.close();
    // ... and one recorded elsewhere cannot be checked, so a running pid holds the lock.
    fs.writeFileSync(path.join(dir, 'LOCK'), `${other.pid} 1 00000000-0000-0000-0000-000000000000\n`);
    assert.throws(() => Store.open(dir), /locked by another running process/);
    fs.writeFileSync(path.join(dir, 'LOCK'), `${await deadPid()} 1 x\n`);
    Store.open(dir).close();
    assert.ok(!fs.existsSync(path.join(dir, 'LOCK')));
  });

  it('removes the temporary and moved-aside files of processes killed while taking the lock', async function () {
    const dead = await deadPid();
    const other = await live();
    const trying = await live();
    fs.writeFileSync(path.join(dir, `LOCK.${dead}.tmp`), `${dead} 123 ${hasProc ? bootId() : 'x'}\n`);
    fs.writeFileSync(path.join(dir, `LOCK.stale.${dead}`), `${dead}\n`);
    // A process that is still running may be trying for the lock right now: its files stay.
    fs.writeFileSync(path.join(dir, `LOCK.stale.${other.pid}`), `${dead}\n`);
    const tryingOwner = hasProc ? `${trying.pid} ${processStartTime(trying.pid!)} ${bootId()}` : `${trying.pid}`;
    fs.writeFileSync(path.join(dir, `LOCK.${trying.pid}.tmp`), `${tryingOwner}\n`);
    const kept = [`LOCK.stale.${other.pid}`, `LOCK.${trying.pid}.tmp`];
    if (hasProc) {
      // A temporary file whose writer's pid was reused since is a leftover too ...
      fs.writeFileSync(path.join(dir, `LOCK.${other.pid}.tmp`), `${other.pid} ${BigInt(processStartTime(other.pid!)!) + 1n} ${bootId()}\n`);
    } else {
      // ... which can only be told where /proc shows start times.
      fs.writeFileSync(path.join(dir, `LOCK.${other.pid}.tmp`), `${other.pid}\n`);
      kept.push(`LOCK.${other.pid}.tmp`);
    }
    fs.writeFileSync(path.join(dir, 'LOCK.unrelated'), 'x');
    const store = Store.open(dir);
    const names = fs.readdirSync(dir).filter((n) => n.startsWith('LOCK.')).sort();
    assert.deepEqual(names, ['LOCK.unrelated', ...kept].sort());
    store.close();
  });
});
