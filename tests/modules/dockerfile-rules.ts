/** Static rules for the SpawnIt Dockerfiles (no hadolint in Debian): multi-stage, pinned bases, non-root, verified downloads. */
import { isPinnedImage } from './module-rules.js';

export interface Instruction {
  keyword: string;
  args: string;
}

/** Instructions with continuation lines joined and comments dropped. */
export function parseDockerfile(text: string): Instruction[] {
  const lines = text.split('\n').filter((line) => !/^\s*#/.test(line));
  const joined = lines.join('\n').replace(/\\\n/g, ' ');
  return joined
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line !== '')
    .map((line) => {
      const [keyword = '', ...rest] = line.split(/\s+/);
      return { keyword: keyword.toUpperCase(), args: rest.join(' ') };
    });
}

/** Problems of one Dockerfile; an empty list when it follows the rules. */
export function checkDockerfile(file: string, text: string): string[] {
  const instructions = parseDockerfile(text);
  const problems: string[] = [];
  const args = new Map<string, string>();
  const stages: string[] = [];
  let lastUser: string | undefined;
  for (const { keyword, args: rest } of instructions) {
    if (keyword === 'ARG') {
      const [name, value] = rest.split('=', 2);
      if (name && value !== undefined) args.set(name, value.replace(/^"|"$/g, ''));
    } else if (keyword === 'FROM') {
      const parts = rest.split(/\s+/).filter((part) => !part.startsWith('--'));
      const image = (parts[0] ?? '').replace(
        /\$\{?([A-Za-z0-9_]+)\}?/g,
        (_all, name: string) => args.get(name) ?? `$${name}`,
      );
      if (!stages.includes(image) && !isPinnedImage(image))
        problems.push(`${file}: FROM ${image} is not pinned to a version`);
      if (parts[1]?.toUpperCase() === 'AS' && parts[2]) stages.push(parts[2]);
      else stages.push(`#${stages.length}`);
      lastUser = undefined;
    } else if (keyword === 'USER') {
      lastUser = rest.trim();
    } else if (keyword === 'ADD' && /https?:\/\//.test(rest) && !rest.includes('--checksum=')) {
      problems.push(`${file}: ADD of a URL without --checksum`);
    } else if (
      keyword === 'RUN' &&
      /\b(curl|wget)\b[^|&;]*https?:\/\//.test(rest) &&
      !/sha256sum|--checksum/.test(rest)
    ) {
      problems.push(`${file}: a RUN downloads a file without checking its SHA-256`);
    }
  }
  if (stages.length < 2)
    problems.push(`${file}: build in stages (at least two FROM), so build tools stay out of the image`);
  if (lastUser === undefined) problems.push(`${file}: the final stage sets no USER, so it runs as root`);
  else if (/^(root|0)(:|$)/.test(lastUser)) problems.push(`${file}: the final stage runs as ${lastUser}`);
  if (!instructions.some((i) => i.keyword === 'HEALTHCHECK')) problems.push(`${file}: no HEALTHCHECK`);
  return problems;
}
