/**
 * Renders the generated part of a module README: requirements, inputs (with the attributes of `params`) and
 * outputs, from the parsed HCL and the catalog templates that use the module. `gen-module-docs.ts` writes it;
 * `module-docs.test.ts` fails when a README differs from what this renders.
 */
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { type HclValue, repoRoot, type TfModule } from './hcl.js';
import type { Template } from './template-rules.js';
import { formatType, type HclType, parseTypeExpression } from './type-expression.js';

export const BEGIN = '<!-- BEGIN_TF_DOCS -->';
export const END = '<!-- END_TF_DOCS -->';

function cell(text: string): string {
  return text
    .replace(/\s*\n\s*/g, ' ')
    .replace(/\|/g, '\\|')
    .trim();
}

function code(text: string): string {
  return `\`${cell(text).replace(/`/g, "'")}\``;
}

function typeOf(source: HclValue | undefined): HclType | undefined {
  if (typeof source !== 'string') return undefined;
  try {
    return parseTypeExpression(source);
  } catch {
    return undefined;
  }
}

function renderDefault(value: HclValue | undefined): string {
  if (value === undefined) return 'n/a';
  if (typeof value === 'string' && value.startsWith('${')) return code(value.slice(2, -1));
  return code(JSON.stringify(value));
}

function table(header: string[], rows: string[][]): string[] {
  return [
    `| ${header.join(' | ')} |`,
    `| ${header.map(() => '---').join(' | ')} |`,
    ...rows.map((r) => `| ${r.join(' | ')} |`),
  ];
}

/** The generated block, markers included, for one module. */
export function renderModuleDocs(m: TfModule, modulePath: string, templates: readonly Template[]): string {
  const lines: string[] = [BEGIN, '', '## Requirements', ''];
  lines.push(
    ...table(
      ['Name', 'Version'],
      [
        ['OpenTofu / Terraform', code(m.requiredVersion ?? 'any')],
        ...Object.entries(m.requiredProviders)
          .sort(([a], [b]) => a.localeCompare(b))
          .map(([name, spec]) => [
            spec.source ? `[${spec.source}](https://search.opentofu.org/provider/${spec.source})` : name,
            code(spec.version ?? 'any'),
          ]),
      ],
    ),
  );

  lines.push('', '## Inputs', '');
  const variables = Object.values(m.variables).sort((a, b) => a.name.localeCompare(b.name));
  if (variables.length === 0) lines.push('None.');
  else {
    lines.push(
      ...table(
        ['Name', 'Description', 'Type', 'Default', 'Required'],
        variables.map((v) => {
          const type = typeOf(v.body.type);
          const compact =
            type && (type.kind === 'object' || formatType(type).length > 60)
              ? `${type.kind}(...)`
              : undefined;
          return [
            code(v.name),
            cell(String(v.body.description ?? '')),
            code(compact ?? (type ? formatType(type) : String(v.body.type ?? 'any'))),
            renderDefault(v.body.default),
            'default' in v.body ? 'no' : 'yes',
          ];
        }),
      ),
    );
  }

  for (const v of variables) {
    const type = typeOf(v.body.type);
    const object =
      type?.kind === 'object'
        ? type
        : type?.kind === 'map' && type.element.kind === 'object'
          ? type.element
          : undefined;
    if (object?.kind !== 'object' || v.name === 'context') continue;
    const users = templates.filter((t) => Object.values(t.modules).includes(modulePath));
    lines.push('', `### \`${v.name}\` attributes`, '');
    if (v.name === 'params' && users.length > 0) {
      lines.push(
        `Filled by SpawnIt from the form of the catalog template ${users.map((t) => `\`${t.id}\``).join(', ')}.`,
        '',
      );
    }
    lines.push(
      ...table(
        ['Name', 'Type', 'Default', 'Required', 'Description'],
        Object.entries(object.attributes).map(([name, attribute]) => {
          const parameter =
            v.name === 'params' ? users.flatMap((t) => t.parameters).find((p) => p.name === name) : undefined;
          const description = parameter?.description ?? attribute.comment ?? '';
          return [
            code(name),
            code(formatType(attribute.type)),
            attribute.defaultSource !== undefined
              ? code(attribute.defaultSource)
              : attribute.optional
                ? '`null`'
                : 'n/a',
            attribute.optional ? 'no' : 'yes',
            cell(description),
          ];
        }),
      ),
    );
  }
  if (m.variables.context) {
    lines.push(
      '',
      '`context` is the standard structure SpawnIt sets (owner, service, network, labels); see `modules/README.md`.',
    );
  }

  lines.push('', '## Outputs', '');
  const outputs = Object.values(m.outputs).sort((a, b) => a.name.localeCompare(b.name));
  if (outputs.length === 0) lines.push('None.');
  else {
    lines.push(
      ...table(
        ['Name', 'Description', 'Sensitive'],
        outputs.map((o) => [
          code(o.name),
          cell(String(o.body.description ?? '')),
          o.body.sensitive === true ? 'yes' : 'no',
        ]),
      ),
    );
  }
  lines.push('', END);
  return lines.join('\n');
}

/**
 * The README with its generated block replaced (or appended); `title` heads a README that does not exist yet.
 */
export function updateReadme(current: string | undefined, generated: string, title: string): string {
  const base = current ?? `# ${title}\n`;
  const start = base.indexOf(BEGIN);
  const end = base.indexOf(END);
  if (start !== -1 && end > start)
    return `${base.slice(0, start)}${generated}${base.slice(end + END.length)}`;
  return `${base.trimEnd()}\n\n${generated}\n`;
}

/** The text as `pnpm format` (biome) leaves a README, so the generator and the formatter agree. */
export function formatMarkdown(text: string): string {
  const biome = path.join(repoRoot, 'node_modules', '.bin', 'biome');
  const result = spawnSync(biome, ['format', '--stdin-file-path=README.md'], {
    input: text,
    encoding: 'utf8',
  });
  if (result.status !== 0)
    throw new Error(`biome could not format a README: ${result.stderr || result.error?.message}`);
  return result.stdout;
}
