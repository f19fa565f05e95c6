import { describe, expect, it } from 'vitest';
import { parseAnsi, stripAnsi } from './ansi';

describe('parseAnsi', () => {
  it('splits tofu’s coloured lines into styled runs', () => {
    // As OpenTofu prints "Plan: 1 to add" and a created resource.
    expect(parseAnsi('\u001b[0m\u001b[1mPlan:\u001b[0m 1 to add, 0 to change.')).toEqual([
      { text: 'Plan:', classes: 'ansi-bold' },
      { text: ' 1 to add, 0 to change.', classes: '' },
    ]);
    expect(parseAnsi('  \u001b[32m+\u001b[0m\u001b[0m resource "terraform_data" "this" {')).toEqual([
      { text: '  ', classes: '' },
      { text: '+', classes: 'ansi-fg-green' },
      { text: ' resource "terraform_data" "this" {', classes: '' },
    ]);
    expect(parseAnsi('\u001b[1;31mError:\u001b[22m red only\u001b[39m plain')).toEqual([
      { text: 'Error:', classes: 'ansi-bold ansi-fg-red' },
      { text: ' red only', classes: 'ansi-fg-red' },
      { text: ' plain', classes: '' },
    ]);
  });

  it('drops every other escape sequence and skips 256-colour arguments', () => {
    expect(parseAnsi('\u001b]0;title\u0007a\u001b[2Kb\u001b[38;5;196mc\u001b[1md')).toEqual([
      { text: 'abc', classes: '' },
      { text: 'd', classes: 'ansi-bold' },
    ]);
    expect(stripAnsi('\u001b[1mbold\u001b[0m <b>not html</b>')).toBe('bold <b>not html</b>');
  });
});
