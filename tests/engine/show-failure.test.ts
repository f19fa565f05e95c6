import { chmod, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { findTofu, TofuError } from '@spawnit/engine';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { createEcho, type EngineHarness, startEngine } from '../support/engine.js';

// The engine reads a plan's summary from `show -json` as soon as tofu prints it, and writes the plan's record
// while tofu exits. A show that prints its plan and then fails is a failure the real tofu cannot be made to
// produce at will: this wrapper runs the real one and fails every `show` after it printed.
let h: EngineHarness;
let wrapperDir: string;
beforeAll(async () => {
  const real = (await findTofu()).path;
  wrapperDir = await mkdtemp(path.join(tmpdir(), 'spawnit-show-fails-'));
  const wrapper = path.join(wrapperDir, 'tofu');
  await writeFile(
    wrapper,
    [
      '#!/bin/sh',
      `if [ "$1" = "show" ]; then "${real}" "$@"; echo "Error: show failed after printing its plan" >&2; exit 1; fi`,
      `exec "${real}" "$@"`,
      '',
    ].join('\n'),
  );
  await chmod(wrapper, 0o755);
  h = await startEngine({ tofuBin: wrapper });
});
afterAll(async () => {
  await h?.close();
  if (wrapperDir) await rm(wrapperDir, { recursive: true, force: true });
});

it('a show that fails after printing its plan fails the plan, and leaves no plan that could be applied', async () => {
  const ref = { clientId: 'dora', serviceId: 'shown' };
  await createEcho(h.engine, ref.clientId, ref.serviceId, { message: 'x' });
  const failure = await h.engine.plan(ref).then(
    () => undefined,
    (error: unknown) => error,
  );
  expect(failure).toBeInstanceOf(TofuError);
  expect((failure as TofuError).message).toMatch(
    /^Could not read the plan of service "shown": .*show failed after printing its plan/,
  );
  // Its record (what makes a plan applicable) and its file are gone from S3 and from the index.
  expect(await h.engine.store.list('clients/dora/services/shown/plans/')).toEqual([]);
  expect(await h.engine.index.savedPlans({ kind: 'service', ...ref })).toEqual([]);
});
