import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { createProgressTracker, renderEventLine } from './apply-events.js';

// What OpenTofu 1.10 printed for `apply -json` of a saved plan creating four terraform_data resources, one
// of them with a one-second local-exec.
const events = readFileSync(new URL('./testdata/apply-events.jsonl', import.meta.url), 'utf8')
  .split('\n')
  .filter(Boolean);

describe('apply events', () => {
  it('counts the planned changes, then each one done', () => {
    const tracker = createProgressTracker();
    const seen = events.map((line) => tracker.observe(line)).filter(Boolean);
    expect(seen.at(3)).toEqual({ done: 0, total: 4, failed: 0 });
    expect(seen.at(-1)).toEqual({ done: 4, total: 4, failed: 0 });
    expect(seen.map((p) => p!.done)).toEqual([0, 0, 0, 0, 1, 2, 3, 4]);
  });

  it('counts a replacement once both its steps ended, and an errored change as failed', () => {
    const tracker = createProgressTracker();
    const event = (type: string, action: string, key: 'change' | 'hook') =>
      JSON.stringify({ '@message': 'm', type, [key]: { resource: { addr: 'a.b' }, action } });
    tracker.observe(event('planned_change', 'replace', 'change'));
    expect(tracker.observe(event('apply_complete', 'delete', 'hook'))).toEqual({
      done: 0,
      total: 1,
      failed: 0,
    });
    expect(tracker.observe(event('apply_complete', 'create', 'hook'))).toEqual({
      done: 1,
      total: 1,
      failed: 0,
    });
    expect(tracker.observe(event('apply_errored', 'create', 'hook'))?.failed).toBe(1);
  });

  it('renders the messages a person reads, and a diagnostic with its detail', () => {
    expect(events.flatMap(renderEventLine).slice(-3)).toEqual([
      expect.stringMatching(/^terraform_data\.s: Creation complete after 1s \[id=/),
      'Apply complete! Resources: 4 added, 0 changed, 0 destroyed.',
      'Outputs: 1',
    ]);
    const diagnostic = JSON.stringify({
      '@message': 'Error: Resource precondition failed',
      type: 'diagnostic',
      diagnostic: {
        summary: 'Resource precondition failed',
        detail: 'The fixture was asked to fail.\n\nFix it.',
      },
    });
    expect(renderEventLine(diagnostic)).toEqual([
      'Error: Resource precondition failed',
      '  The fixture was asked to fail.',
      '',
      '  Fix it.',
    ]);
    expect(renderEventLine('not json')).toEqual(['not json']);
    const interrupt = JSON.stringify({
      '@message': '\nInterrupt received.\nPlease wait for OpenTofu to exit or data loss may occur.\n',
      type: 'log',
    });
    expect(renderEventLine(interrupt)).toEqual([
      'Interrupt received.',
      'Please wait for OpenTofu to exit or data loss may occur.',
    ]);
  });

  it('renders an event read for its message alone as the full parse does', () => {
    const escaped = JSON.stringify({
      '@level': 'info',
      '@message': 'terraform_data.x: (local-exec): a "quoted" \\ path\twith \u00e9 and a second\nline',
      type: 'provision_progress',
    });
    for (const line of [...events, escaped]) {
      // The same event with its keys in another order takes the full parse.
      const { '@level': level, ...rest } = JSON.parse(line) as Record<string, unknown>;
      expect(renderEventLine(line)).toEqual(renderEventLine(JSON.stringify({ ...rest, '@level': level })));
    }
    expect(renderEventLine(escaped)).toEqual([
      'terraform_data.x: (local-exec): a "quoted" \\ path\twith \u00e9 and a second',
      'line',
    ]);
  });
});
