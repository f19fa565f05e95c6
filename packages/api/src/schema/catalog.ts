import {
  PROVIDERS,
  type ProviderName,
  type Template,
  type TemplateOutput,
  type TemplateParameter,
} from '@spawnit/engine';
import { builder } from '../builder.js';
import { ProviderEnum } from './common.js';

const ParameterTypeEnum = builder.enumType('ParameterType', {
  description: 'The kind of value a parameter takes; a form picks its input from it.',
  values: {
    STRING: { value: 'string', description: 'Text.' },
    INTEGER: { value: 'integer', description: 'A whole number.' },
    NUMBER: { value: 'number', description: 'Any number.' },
    BOOLEAN: { value: 'boolean', description: 'true or false.' },
  } as const,
});

const TemplateParameterRef = builder.objectRef<TemplateParameter>('TemplateParameter').implement({
  description: 'One form field of a template, with the rules its value must follow.',
  fields: (t) => ({
    name: t.exposeString('name', { description: 'The key of the value in `params`.' }),
    type: t.field({ type: ParameterTypeEnum, description: 'What kind of value.', resolve: (p) => p.type }),
    label: t.string({ description: 'A label for the form.', resolve: (p) => p.label ?? p.name }),
    description: t.exposeString('description', { description: 'Help text for the form.' }),
    required: t.boolean({
      description: 'A value must be given (there is no default and none is generated).',
      resolve: (p) => p.required ?? false,
    }),
    default: t.field({
      type: 'JSON',
      nullable: true,
      description: 'The value used when the field is left empty.',
      resolve: (p) => p.default ?? null,
    }),
    enum: t.field({
      type: ['JSON'],
      nullable: true,
      description: 'The only values allowed, when the field is a choice.',
      resolve: (p) => p.enum ?? null,
    }),
    min: t.float({ nullable: true, description: 'Smallest number allowed.', resolve: (p) => p.min ?? null }),
    max: t.float({ nullable: true, description: 'Largest number allowed.', resolve: (p) => p.max ?? null }),
    minLength: t.int({
      nullable: true,
      description: 'Shortest text allowed, in characters.',
      resolve: (p) => p.minLength ?? null,
    }),
    maxLength: t.int({
      nullable: true,
      description: 'Longest text allowed, in characters.',
      resolve: (p) => p.maxLength ?? null,
    }),
    pattern: t.string({
      nullable: true,
      description: 'A regular expression (Unicode) the text must match.',
      resolve: (p) => p.pattern ?? null,
    }),
    secret: t.boolean({
      description: 'A secret: never shown back once saved; leave it empty on update to keep it.',
      resolve: (p) => p.secret ?? false,
    }),
    generated: t.boolean({
      description: 'A random value is generated when the field is left empty.',
      resolve: (p) => p.generate !== undefined,
    }),
    providers: t.field({
      type: [ProviderEnum],
      description: 'The providers this field applies to; on others it must stay empty.',
      resolve: (p) => p.providers ?? [...PROVIDERS],
    }),
  }),
});

const TemplateOutputRef = builder.objectRef<TemplateOutput>('TemplateOutput').implement({
  description: 'A value a deployed service reports (an address, a port, a password...).',
  fields: (t) => ({
    name: t.exposeString('name', { description: 'The output name.' }),
    description: t.exposeString('description', { description: 'What it is.' }),
    secret: t.boolean({
      description: 'Shown only to the owner who asks for it with `reveal: true`.',
      resolve: (o) => o.secret ?? false,
    }),
  }),
});

export const TemplateRef = builder.objectRef<Template>('Template').implement({
  description: 'A deployable service of the catalog: its form (parameters) and what it reports (outputs).',
  fields: (t) => ({
    id: t.exposeID('id', { description: 'The template id, given to `createService`.' }),
    name: t.exposeString('name', { description: 'Display name.' }),
    description: t.exposeString('description', { description: 'What the service is.' }),
    category: t.exposeString('category', { description: 'A grouping for the catalog page.' }),
    icon: t.exposeString('icon', { description: 'An icon name for the catalog page.' }),
    providers: t.field({
      type: [ProviderEnum],
      description: 'Where it can run.',
      resolve: (template) => Object.keys(template.modules) as ProviderName[],
    }),
    parameters: t.field({
      type: [TemplateParameterRef],
      description: 'The form fields, in order.',
      resolve: (template) => template.parameters,
    }),
    outputs: t.field({
      type: [TemplateOutputRef],
      description: 'What a deployed service reports.',
      resolve: (template) => template.outputs,
    }),
  }),
});

builder.queryField('catalog', (t) =>
  t.field({
    type: [TemplateRef],
    description: 'Every service that can be deployed, in catalog order.',
    resolve: (_root, _args, ctx) => [...ctx.engine.catalog.templates],
  }),
);

builder.queryField('template', (t) =>
  t.field({
    type: TemplateRef,
    nullable: true,
    description: 'One template of the catalog; null when there is no such id.',
    args: { id: t.arg.id({ required: true, description: 'The template id.' }) },
    resolve: (_root, { id }, ctx) => ctx.engine.catalog.get(String(id)) ?? null,
  }),
);

builder.queryField('networkTemplate', (t) =>
  t.field({
    type: TemplateRef,
    nullable: true,
    description:
      "The parameters of a provider's network (the form of `createNetwork`); null when the network takes none.",
    args: { provider: t.arg({ type: ProviderEnum, required: true, description: 'The provider.' }) },
    resolve: (_root, { provider }, ctx) => ctx.engine.catalog.network(provider) ?? null,
  }),
);
