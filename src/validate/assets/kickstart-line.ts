// Splits one kickstart line into words the way pykickstart does (shlex with
// comments): quotes group, a backslash escapes, `#` starting a word ends the line.

export type SplitLine = { ok: true; words: string[] } | { ok: false; reason: string };

export function splitKickstartLine(line: string): SplitLine {
  const words: string[] = [];
  let word = '';
  let inWord = false;
  let quote: '"' | "'" | null = null;
  for (let i = 0; i < line.length; i++) {
    const c = line.charAt(i);
    if (quote !== null) {
      if (c === quote) quote = null;
      else if (c === '\\' && quote === '"' && (line[i + 1] === '"' || line[i + 1] === '\\')) word += line.charAt(++i);
      else word += c;
      continue;
    }
    if (c === ' ' || c === '\t') {
      if (inWord) words.push(word);
      word = '';
      inWord = false;
    } else if (c === '#' && !inWord) {
      break;
    } else if (c === '"' || c === "'") {
      quote = c;
      inWord = true;
    } else if (c === '\\' && i + 1 < line.length) {
      word += line.charAt(++i);
      inWord = true;
    } else {
      word += c;
      inWord = true;
    }
  }
  if (quote !== null) return { ok: false, reason: `no closing ${quote} quote` };
  if (inWord) words.push(word);
  return { ok: true, words };
}
