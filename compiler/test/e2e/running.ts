/**
 * A project compiled and run in this process, for the runtime's end-to-end tests.
 */
import assert from 'node:assert/strict';
import * as path from 'node:path';
import { ProjectRuntime, type RuntimeOptions } from '@dtl/runtime/engine/project';
import type { RunResult } from '@dtl/runtime/engine/pipe-runner';
import { writeJson } from '@dtl/runtime/values/json';
import { buildProject } from '../../src/codegen/build.js';
import { checkProject } from '../../src/check/check-project.js';
import { importBuild } from '../../src/cli/project-commands.js';
import { loadProject } from '../../src/project/load.js';
import { tempDir, writeProject } from '../helpers.js';

export interface Running {
  rt: ProjectRuntime;
  /** The compiled pipes, to open another runtime on the same build. */
  modules: ConstructorParameters<typeof ProjectRuntime>[1];
  dir: string;
  data: string;
  /** Latest non-deleted entities as plain JSON (transit encoded), without volatile metadata. */
  dataset(id: string, opts?: { deleted?: boolean }): Record<string, unknown>[];
  close(): void;
}

export async function start(files: Record<string, unknown>, dir = writeProject(files), data = path.join(tempDir(), 'data'), options: Partial<RuntimeOptions> = {}): Promise<Running> {
  const project = loadProject(dir);
  const check = checkProject(project);
  const errors = check.diagnostics.filter((d) => d.severity === 'error');
  assert.deepEqual(errors.map((d) => d.message), []);
  const out = await buildProject(check, { outDir: path.join(dir, 'build-' + Math.random().toString(36).slice(2)), bundle: false, toolVersion: 'test' });
  assert.ok(out.ok, JSON.stringify(out.diagnostics.map((d) => d.message)));
  const { manifest, modules } = await importBuild(out);
  const rt = new ProjectRuntime(manifest, modules, { ...options, dataDir: data, projectRoot: dir });
  return {
    rt,
    modules,
    dir,
    data,
    dataset(id, opts = {}) {
      if (!rt.store.exists(id)) return [];
      return [...rt.store.dataset(id).read(-1, { latestOnly: true, includeDeleted: opts.deleted ?? false })].map((e) => {
        const o = JSON.parse(writeJson(e)) as Record<string, unknown>;
        delete o._ts;
        delete o._hash;
        return o;
      });
    },
    close: () => rt.close(),
  };
}


/**
 * Starts a run of `pipe`, stops the runtime while it is in progress (the run yields to the
 * event loop, so a timer fires meanwhile) and returns how the run ended.
 */
export async function stopMidRun(r: Running, pipe: string): Promise<RunResult> {
  const running = r.rt.runPipe(pipe);
  await new Promise((ok) => setTimeout(ok, 20));
  const stopping = r.rt.stop();
  const res = await running;
  await stopping;
  assert.equal(res.stopped, true, 'the run was still in progress when stopped');
  return res;
}
