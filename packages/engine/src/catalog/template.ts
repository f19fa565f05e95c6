import { z } from 'zod';
import { PROVIDERS } from '../ids.js';

const NAME = /^[a-z][a-z0-9_]{0,63}$/;

const secretGenerator = z.strictObject({
  /** Length of the random secret made when the user leaves the field empty. */
  length: z.int().min(8).max(128),
});

const parameterSchema = z
  .strictObject({
    name: z.string().regex(NAME, 'must be lowercase letters, digits and "_", starting with a letter'),
    type: z.enum(['string', 'integer', 'number', 'boolean']),
    label: z.string().min(1).optional(),
    description: z.string().min(1),
    required: z.boolean().optional(),
    default: z.union([z.string(), z.number(), z.boolean()]).optional(),
    enum: z
      .array(z.union([z.string(), z.number()]))
      .min(1)
      .optional(),
    min: z.number().optional(),
    max: z.number().optional(),
    minLength: z.int().min(0).optional(),
    maxLength: z.int().min(1).optional(),
    pattern: z.string().optional(),
    secret: z.boolean().optional(),
    generate: secretGenerator.optional(),
    providers: z.array(z.enum(PROVIDERS)).min(1).optional(),
  })
  .superRefine((p, ctx) => {
    const issue = (message: string) => ctx.addIssue({ code: 'custom', message });
    if (p.pattern !== undefined) {
      try {
        new RegExp(p.pattern, 'u');
      } catch {
        issue(`parameter "${p.name}": pattern is not a valid regular expression`);
      }
    }
    if (p.generate && (p.type !== 'string' || !p.secret)) {
      issue(`parameter "${p.name}": "generate" is only for secret string parameters`);
    }
    if ((p.min !== undefined || p.max !== undefined) && p.type !== 'integer' && p.type !== 'number') {
      issue(`parameter "${p.name}": min/max are only for integer and number parameters`);
    }
    if (
      (p.minLength !== undefined || p.maxLength !== undefined || p.pattern !== undefined) &&
      p.type !== 'string'
    ) {
      issue(`parameter "${p.name}": minLength/maxLength/pattern are only for string parameters`);
    }
    if (p.default !== undefined) {
      const problem = checkValue(p as TemplateParameter, p.default);
      if (problem) issue(`parameter "${p.name}": default ${JSON.stringify(p.default)} ${problem.message}`);
    }
    for (const value of p.enum ?? []) {
      const problem = checkValue({ ...p, enum: undefined } as TemplateParameter, value);
      if (problem) issue(`parameter "${p.name}": enum value ${JSON.stringify(value)} ${problem.message}`);
    }
  });

const outputSchema = z.strictObject({
  name: z.string().regex(NAME, 'must be lowercase letters, digits and "_", starting with a letter'),
  description: z.string().min(1),
  secret: z.boolean().optional(),
});

export const templateSchema = z
  .strictObject({
    id: z.string().regex(/^[a-z][a-z0-9-]{0,38}[a-z0-9]$/, 'must be 2-40 lowercase letters, digits and "-"'),
    name: z.string().min(1),
    description: z.string().min(1),
    category: z.string().min(1),
    icon: z.string().min(1),
    modules: z
      .partialRecord(
        z.enum(PROVIDERS),
        z.string().regex(/^[a-z0-9][a-z0-9_/-]*$/, 'must be a relative module path'),
      )
      .refine((m) => Object.keys(m).length > 0, 'must name a module for at least one provider'),
    parameters: z.array(parameterSchema),
    outputs: z.array(outputSchema),
  })
  .superRefine((t, ctx) => {
    for (const [kind, list] of [
      ['parameter', t.parameters],
      ['output', t.outputs],
    ] as const) {
      const seen = new Set<string>();
      for (const { name } of list) {
        if (seen.has(name)) ctx.addIssue({ code: 'custom', message: `${kind} "${name}" is defined twice` });
        seen.add(name);
      }
    }
    for (const m of Object.values(t.modules)) {
      if (m?.split('/').includes('..'))
        ctx.addIssue({ code: 'custom', message: `module "${m}" leaves the modules folder` });
    }
  });

export type Template = z.infer<typeof templateSchema>;
export type TemplateParameter = Template['parameters'][number];
export type TemplateOutput = Template['outputs'][number];
export type ParameterValue = string | number | boolean | null;

/** Checks one value against one parameter's rules; returns the rule that failed, if any. */
export function checkValue(
  parameter: TemplateParameter,
  value: unknown,
): { rule: string; message: string } | undefined {
  const p = parameter;
  switch (p.type) {
    case 'boolean':
      if (typeof value !== 'boolean') return { rule: 'type', message: 'must be true or false' };
      return undefined;
    case 'integer':
    case 'number':
      if (typeof value !== 'number' || !Number.isFinite(value))
        return { rule: 'type', message: 'must be a number' };
      if (p.type === 'integer' && !Number.isInteger(value)) {
        return { rule: 'type', message: 'must be a whole number' };
      }
      if (p.min !== undefined && value < p.min) return { rule: 'min', message: `must be at least ${p.min}` };
      if (p.max !== undefined && value > p.max) return { rule: 'max', message: `must be at most ${p.max}` };
      break;
    case 'string':
      if (typeof value !== 'string') return { rule: 'type', message: 'must be text' };
      if (p.minLength !== undefined && value.length < p.minLength) {
        return { rule: 'minLength', message: `must be at least ${p.minLength} characters long` };
      }
      if (p.maxLength !== undefined && value.length > p.maxLength) {
        return { rule: 'maxLength', message: `must be at most ${p.maxLength} characters long` };
      }
      if (p.pattern !== undefined && !new RegExp(p.pattern, 'u').test(value)) {
        return { rule: 'pattern', message: `must match the pattern ${p.pattern}` };
      }
      break;
  }
  if (p.enum && !p.enum.includes(value as string | number)) {
    return { rule: 'enum', message: `must be one of ${p.enum.map((v) => JSON.stringify(v)).join(', ')}` };
  }
  return undefined;
}
