// Go's value printing: %v of every data shape, print spacing, and printf
// verbs with flags, width, precision, indexes and the %!verb(...) forms.
import { mixed } from './data.ts';
import type { TemplateCase } from './types.ts';

const t = (name: string, template: string, data: unknown = mixed): TemplateCase => ({ name: `fmt/${name}`, template, data });

const floats = [0, 1, -1, 1.5, 0.1, 0.5, 2.5, 1e6, 999999, 1234567, 1e20, 1e21, 1e-4, 1e-5, 1e-7, 123456789, 3.14159265358979, 1 / 3, 2 / 3, 100, 1e100, 5e-324, 1.7976931348623157e308, 0.000123, 12345.678, -0.0001, 255, 1.005, 0.045];
const verbs = ['%v', '%d', '%s', '%q', '%x', '%X', '%f', '%.2f', '%e', '%E', '%g', '%G', '%.3g', '%t', '%c', '%o', '%b', '%8.3f', '%-8.2f|', '%+.1e', '%08.3f', '% f', '%T', '%U', '%#v', '%5v|', '%.0f', '%#g', '%010d'];
const verbValues: [string, string][] = [
  ['int', '42'], ['negint', '-42'], ['zero', '0'], ['float', '.f'], ['datanum', '.n'], ['string', '.s'], ['unicode', '.u'], ['bool', '.t'],
  ['nil', 'nil'], ['missing', '.missing'], ['list', '.list'], ['map', '.m'], ['rune', "'x'"], ['byte', '(index "A" 0)'], ['mixedlist', '.mixedList'],
];

export const cases: TemplateCase[] = [
  t('print floats', floats.map((_, i) => `{{index .fl ${i}}}`).join(' '), { fl: floats }),
  t('print floats in list', '{{.fl}}', { fl: floats }),
  ...floats.map((f, i) => t(`float formats ${i} ${f}`, '{{printf "%v|%e|%f|%g|%.3e|%.10f|%.1f|%.0e|%6.2f|%G|%.4g|%#v" .x .x .x .x .x .x .x .x .x .x .x .x}}', { x: f })),
  ...verbValues.map(([n, v]) => t(`verbs on ${n}`, verbs.map((verb) => `{{printf "${verb}" ${v}}}`).join('\n'))),
  t('print values', '{{.n}} {{.f}} {{.z}} {{.neg}} {{.big}} {{.large}} {{.small}} {{.t}} {{.no}} {{.nul}} {{.list}} {{.m}} {{.mixedList}} {{.nested}} {{.empty}} {{.emptyMap}} {{.withNull}} {{.nulls}}'),
  t('print literals', '{{1}} {{1.0}} {{-0.0}} {{1e21}} {{1e-7}} {{0.1}} {{100000000.0}} {{9007199254740993}}'),
  t('huge int literal', '{{9223372036854775807}} {{-9223372036854775808}}'),
  t('uint literal overflows int', '{{9223372036854775808}}'),
  t('integer overflow literal', '{{99999999999999999999}}'),
  t('printf string widths', '{{printf "[%5s][%-5s][%.2s][%5.1s][%05s]" "ab" "ab" "abc" "xyz" "ab"}}'),
  t('printf int flags', '{{printf "[%+d][% d][%05d][%-5d][%x][%#x][%#o][%O][%#b][%X][%#X]" 5 5 -5 5 255 255 8 8 5 255 255}}'),
  t('printf precision ints', '{{printf "[%.3d][%8.3d][%.0d][%5.0d]" 7 -7 0 0}}'),
  t('printf q strings', '{{printf "%q %+q %#q %#q" "héllo\\n" "héllo" "back`tick" "plain"}}'),
  t('printf x strings', '{{printf "%x % x %#x %# X %.2x" "hi!" "hi!" "hi" "hi" "hello"}}'),
  t('printf chars', '{{printf "%c %c %q %U %#U" 65 0x1F600 10 0x41 0x1F600}}'),
  t('printf percent', '{{printf "100%% %d%%" 5}}'),
  t('printf missing arg', '{{printf "%d %s"  1}}'),
  t('printf extra args', '{{printf "%d" 1 2 "x" nil}}'),
  t('printf no verb', '{{printf "abc%"}}'),
  t('printf bad verb', '{{printf "%z" 1}} {{printf "%d" "s"}} {{printf "%s" 1}} {{printf "%t" 1}}'),
  t('printf arg index', '{{printf "%[2]d %[1]d" 1 2}} {{printf "%[3]d" 1}} {{printf "%[1]d %d" 5 6}}'),
  t('printf star width', '{{printf "[%*d][%-*d][%.*f]" 5 1 4 2 2 3.14159}}'),
  t('printf star bad', '{{printf "[%*d]" "x" 1}}'),
  t('printf negative star', '{{printf "[%*d]" -5 1}}'),
  t('printf float flags', '{{printf "[%+f][% .2f][%+08.2f][%-10.3e][%#.0f][%#g][%#.3g]" 1.5 1.5 -1.5 1234.5 3.0 1.0 1.0}}'),
  t('printf data number as int', '{{printf "%d" .n}}'),
  t('printf v of list of floats', '{{printf "%d" .nums}} {{printf "%s" .list}} {{printf "%x" .list}} {{printf "%5v" .nums}}'),
  t('printf map verbs', '{{printf "%s" .m}} {{printf "%d" .m}}'),
  t('printf T', '{{printf "%T %T %T %T %T %T %T %T" 1 1.5 "s" true .list .m nil .missing}}'),
  t('printf #v values', '{{printf "%#v %#v %#v %#v %#v" .list .m .s .n .mixedList}}'),
  t('printf +v', '{{printf "%+v %+v %+d" 5 .f 5}}'),
  t('printf nan inf', '{{printf "%f %v" .inf .ninf}}', { inf: 1e308, ninf: -1e308 }),
  t('printf non-string format', '{{printf 1}}'),
  t('printf nil format', '{{printf nil}}'),
  t('printf field format', '{{printf .fmt .n}}', { fmt: '%.1f!', n: 2 }),
  t('printf missing format', '{{printf .missing}}'),
  t('printf unicode width', '{{printf "[%6s][%-6s]" "é✓" "日本"}}'),
  t('print complex', '{{printf "%v %.2f" 1i 2i}}'),
  t('large data ints', '{{.a}} {{.b}} {{.c}}', { a: 12345678901234567000, b: 1e15, c: 123456.789 }),
];
