// One-shot rendering: parse and execute a single template.
import { TemplateSet, type ExecuteOptions, type TemplateSetOptions } from './template-set.ts';

export interface RenderOptions extends TemplateSetOptions {
  /** Name used in messages. Default 'template'. */
  name?: string;
}

export function render(text: string, data: unknown, opts: RenderOptions & ExecuteOptions = {}): string {
  const name = opts.name ?? 'template';
  return new TemplateSet(opts).parse(name, text).execute(name, data, { missingKey: opts.missingKey });
}
