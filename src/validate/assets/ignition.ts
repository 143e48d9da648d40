// Validates a rendered ignition asset: either a Container Linux Config (the
// YAML Vaquero's assets are written in, transpiled by ct/fuze) or raw
// Ignition JSON (spec 2.x or 3.x, told apart by `ignition.version`).
import { isMap, isScalar } from 'yaml';
import type { Node } from 'yaml';
import { checkShape, lineOf } from './check-shape.ts';
import { containerLinuxConfig } from './ignition-clc-schema.ts';
import { schemaForVersion } from './ignition-json-schema.ts';
import { findJsonSyntaxError } from './json-syntax.ts';
import { inDocumentOrder } from './problem.ts';
import type { AssetProblem } from './problem.ts';
import { parseYaml } from './yaml-source.ts';

export function validateIgnition(text: string): AssetProblem[] {
  if (!text.trimStart().startsWith('{')) return validateContainerLinuxConfig(text);
  const json = tryJson(text);
  if (json.ok) return hasIgnitionVersion(json.value) ? validateIgnitionJson(text) : validateContainerLinuxConfig(text);
  // A Container Linux Config may be written in YAML flow style, which is not JSON.
  const yaml = parseYaml(text, { version: '1.1' });
  const isFlowClc = yaml.syntaxOk && yaml.root !== undefined && isMap(yaml.root) && !ignitionVersionNode(yaml.root);
  if (isFlowClc) return validateContainerLinuxConfig(text);
  return [{ line: lineAtOffset(text, json.position), level: 'error', message: `ignition JSON does not parse: ${json.reason}` }];
}

function validateContainerLinuxConfig(text: string): AssetProblem[] {
  const parsed = parseYaml(text, { version: '1.1' });
  const problems = [...parsed.problems];
  if (!parsed.syntaxOk) return finish(problems);
  if (parsed.doc === undefined || parsed.root === undefined) return finish([...problems, empty()]);
  checkShape(parsed.root, containerLinuxConfig, '', { doc: parsed.doc, lineCounter: parsed.lineCounter, rules: 'yaml.v2', problems });
  return finish(problems);
}

function validateIgnitionJson(text: string): AssetProblem[] {
  // JSON is YAML 1.2, so the same node tree (with positions) serves both forms.
  const parsed = parseYaml(text, { version: '1.2' });
  const problems = [...parsed.problems];
  if (!parsed.syntaxOk || parsed.doc === undefined || parsed.root === undefined) return finish(problems);
  const ctx = { doc: parsed.doc, lineCounter: parsed.lineCounter, rules: 'json' as const, problems };
  const versionNode = ignitionVersionNode(parsed.root);
  if (versionNode === undefined) return finish(problems);
  const version = isScalar(versionNode) ? versionNode.value : undefined;
  const schema = typeof version === 'string' ? schemaForVersion(version) : undefined;
  if (schema === undefined) {
    const shown = isScalar(versionNode) ? JSON.stringify(versionNode.value) : 'a collection';
    problems.push({
      line: lineOf(versionNode, ctx),
      level: 'error',
      message: `ignition.version ${shown} is not a supported Ignition spec (2.x or 3.x, as "2.2.0" or "3.4.0")`,
    });
    return finish(problems);
  }
  checkShape(parsed.root, schema, '', ctx);
  return finish(problems);
}

function empty(): AssetProblem {
  return { line: 1, level: 'error', message: 'the ignition config is empty' };
}

function finish(problems: AssetProblem[]): AssetProblem[] {
  return inDocumentOrder(problems);
}

function ignitionVersionNode(root: Node): Node | undefined {
  if (!isMap(root)) return undefined;
  const ignition = root.get('ignition', true);
  if (!isMap(ignition)) return undefined;
  const version = ignition.get('version', true);
  return isScalar(version) || isMap(version) ? version : undefined;
}

function hasIgnitionVersion(value: unknown): boolean {
  if (typeof value !== 'object' || value === null) return false;
  const ignition = (value as Record<string, unknown>)['ignition'];
  return typeof ignition === 'object' && ignition !== null && 'version' in ignition;
}

type JsonResult = { ok: true; value: unknown } | { ok: false; reason: string; position: number };

function tryJson(text: string): JsonResult {
  const fault = findJsonSyntaxError(text);
  if (fault === undefined) return { ok: true, value: JSON.parse(text) as unknown };
  // A mistake at the very end (text cut short) belongs to the last line with text on it.
  const position = Math.min(fault.offset, text.trimEnd().length);
  return { ok: false, reason: fault.reason, position };
}

function lineAtOffset(text: string, offset: number): number {
  let line = 1;
  for (let i = 0; i < offset && i < text.length; i++) if (text[i] === '\n') line++;
  return line;
}
