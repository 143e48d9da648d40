// The html, js and urlquery builtins: Go's HTMLEscapeString,
// JSEscapeString and url.QueryEscape over the text of their arguments.
import { isPrint } from './quote.ts';

const htmlRe = /['"&<>\0]/;
export function htmlEscape(s: string): string {
  if (!htmlRe.test(s)) return s;
  let out = '';
  for (const ch of s) {
    switch (ch) {
      case '\0': out += '\uFFFD'; break;
      case '"': out += '&#34;'; break;
      case '\'': out += '&#39;'; break;
      case '&': out += '&amp;'; break;
      case '<': out += '&lt;'; break;
      case '>': out += '&gt;'; break;
      default: out += ch;
    }
  }
  return out;
}

const jsRe = /[\\'"<>&=\u0000-\u001f\u0080-\uffff]/;
export function jsEscape(s: string): string {
  if (!jsRe.test(s)) return s;
  let out = '';
  for (const ch of s) {
    const cp = ch.codePointAt(0)!;
    if (cp < 0x80) {
      switch (ch) {
        case '\\': out += '\\\\'; break;
        case '\'': out += '\\\''; break;
        case '"': out += '\\"'; break;
        case '<': out += '\\u003C'; break;
        case '>': out += '\\u003E'; break;
        case '&': out += '\\u0026'; break;
        case '=': out += '\\u003D'; break;
        default:
          out += cp < 0x20 ? `\\u00${cp.toString(16).toUpperCase().padStart(2, '0')}` : ch;
      }
    } else if (isPrint(cp)) out += ch;
    else out += `\\u${cp.toString(16).toUpperCase().padStart(4, '0')}`;
  }
  return out;
}

export function urlQueryEscape(s: string): string {
  let out = '';
  for (const b of Buffer.from(s, 'utf8')) {
    if ((b >= 0x41 && b <= 0x5a) || (b >= 0x61 && b <= 0x7a) || (b >= 0x30 && b <= 0x39) || b === 0x2d || b === 0x5f || b === 0x2e || b === 0x7e) {
      out += String.fromCharCode(b);
    } else if (b === 0x20) out += '+';
    else out += `%${b.toString(16).toUpperCase().padStart(2, '0')}`;
  }
  return out;
}
