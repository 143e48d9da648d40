// Validates a rendered cloud-config: the `#cloud-config` header both
// coreos-cloudinit and cloud-init look for, then a YAML mapping of known keys.
import { checkShape } from './check-shape.ts';
import { cloudConfig } from './cloud-config-schema.ts';
import { inDocumentOrder } from './problem.ts';
import type { AssetProblem } from './problem.ts';
import { parseYaml } from './yaml-source.ts';

const header = '#cloud-config';

export function validateCloudConfig(text: string): AssetProblem[] {
  const problems: AssetProblem[] = [];
  const first = (text.split('\n')[0] ?? '').replace(/\r$/, '');
  if (first !== header) {
    // coreos-cloudinit compares the whole first line; cloud-init only its start.
    const message = first.startsWith(header)
      ? `the first line is "${first}": coreos-cloudinit wants exactly "${header}"`
      : `the first line must be "${header}"; without it the file is not read as a cloud-config`;
    problems.push({ line: 1, level: first.startsWith(header) ? 'warning' : 'error', message });
  }
  const parsed = parseYaml(text, { version: '1.1' });
  problems.push(...parsed.problems);
  // A header alone is a valid, empty cloud-config.
  if (parsed.syntaxOk && parsed.doc !== undefined && parsed.root !== undefined) {
    checkShape(parsed.root, cloudConfig, '', { doc: parsed.doc, lineCounter: parsed.lineCounter, rules: 'yaml.v2', problems });
  }
  return inDocumentOrder(problems);
}
