// Validates a rendered kickstart: known commands at the top level, and
// %sections each closed by %end. Only %packages bodies are looked into;
// script bodies (%pre, %post, ...) are the author's own business.
import { kickstartCommands, kickstartSections, percentCommands } from './kickstart-grammar.ts';
import type { SectionKind } from './kickstart-grammar.ts';
import { splitKickstartLine } from './kickstart-line.ts';
import { inDocumentOrder } from './problem.ts';
import type { AssetProblem } from './problem.ts';

interface OpenSection {
  name: string;
  line: number;
  /** 'unknown': a %section anaconda does not know; its body is skipped, not read as commands. */
  kind: SectionKind | 'unknown';
}

export function validateKickstart(text: string): AssetProblem[] {
  const problems: AssetProblem[] = [];
  const lines = text.split('\n');
  let open: OpenSection | undefined;
  let sawContent = false;

  lines.forEach((raw, index) => {
    const line = index + 1;
    const trimmed = raw.replace(/\r$/, '').trim();
    const first = trimmed.split(/\s+/)[0] ?? '';
    if (trimmed !== '' && !trimmed.startsWith('#')) sawContent = true;

    if (open !== undefined) {
      if (first === '%end') {
        open = undefined;
        return;
      }
      if (!kickstartSections.has(first)) {
        if (open.kind === 'packages') checkPackageLine(trimmed, line, problems);
        return;
      }
      // A new section header before %end: pykickstart rejects the unclosed one.
      if (open.kind !== 'unknown') problems.push(unclosed(open));
      open = undefined;
    }

    if (trimmed === '' || trimmed.startsWith('#')) return;
    const split = splitKickstartLine(trimmed);
    if (!split.ok) {
      problems.push({ line, level: 'error', message: `${first}: ${split.reason}` });
      return;
    }
    const [name = '', ...args] = split.words;
    if (name === '') return;

    if (name === '%end') {
      problems.push({ line, level: 'error', message: '%end without an open section' });
    } else if (percentCommands.has(name)) {
      if (args.length === 0) problems.push({ line, level: 'error', message: `${name} needs a file to read` });
    } else if (name.startsWith('%')) {
      open = openSection(name, args, line, problems);
    } else if (!kickstartCommands.has(name)) {
      problems.push({ line, level: 'warning', message: `unknown kickstart command "${name}"` });
    }
  });

  if (open !== undefined && open.kind !== 'unknown') problems.push(unclosed(open));
  if (!sawContent) problems.push({ line: 1, level: 'error', message: 'the kickstart file is empty' });
  return inDocumentOrder(problems);
}

function openSection(name: string, args: string[], line: number, problems: AssetProblem[]): OpenSection {
  const section = kickstartSections.get(name);
  if (section === undefined) {
    problems.push({ line, level: 'error', message: `unknown kickstart section "${name}"` });
    return { name, line, kind: 'unknown' };
  }
  if (section.kind === 'addon' && args.length === 0) {
    problems.push({ line, level: 'error', message: '%addon needs the add-on name' });
  }
  if (section.options !== 'any') {
    for (const arg of args) {
      const option = arg.split('=')[0] ?? arg;
      if (!section.options.includes(option)) {
        problems.push({ line, level: 'warning', message: `unknown option "${arg}" for ${name}` });
      }
    }
  }
  return { name, line, kind: section.kind };
}

function unclosed(open: OpenSection): AssetProblem {
  return { line: open.line, level: 'error', message: `${open.name} section is not closed by %end` };
}

// Package lines: a name or glob, `-name` to exclude, `@group` / `@^environment`
// (anaconda strips the space in `@ Core`), `@module:stream/profile`.
function checkPackageLine(trimmed: string, line: number, problems: AssetProblem[]): void {
  if (trimmed === '' || trimmed.startsWith('#')) return;
  const spec = trimmed.replace(/^-/, '');
  if (spec.startsWith('@')) {
    if (spec.slice(1).replace(/^\^/, '').trim() === '') {
      problems.push({ line, level: 'error', message: `"${trimmed}" names no group` });
    }
    return;
  }
  if (spec.trim() === '') {
    problems.push({ line, level: 'error', message: `"${trimmed}" names no package` });
  } else if (/\s/.test(spec)) {
    // Only group names may hold spaces; anything else is read as one (missing) package.
    problems.push({ line, level: 'warning', message: `"${trimmed}" is read as one package name containing a space` });
  }
}
