// An esbuild plugin that squeezes the whitespace out of Lit's css``, html`` and svg``
// template literals, which esbuild's minifier leaves as written. Only the literal text
// between expressions changes; expressions (and templates nested in them) are walked,
// not rewritten. HTML keeps one space wherever it had any, since whitespace can matter
// between inline elements; CSS also loses comments and spaces around punctuation.
import { readFile } from 'node:fs/promises';

const TAG = /\b(css|html|svg)`/g;

function squeeze(tag, text) {
  if (tag === 'css') {
    return text
      .replace(/\/\*[\s\S]*?\*\//g, '')
      .replace(/\s+/g, ' ')
      .replace(/\s*([{}:;,>])\s*/g, '$1')
      .replace(/;}/g, '}');
  }
  return text.replace(/\s+/g, ' ').replace(/> </g, '><');
}

/** Reads a template literal body starting after its backtick; returns [rewritten, end]. */
function readTemplate(src, start, tag) {
  let out = '';
  let text = '';
  let i = start;
  while (i < src.length) {
    const ch = src[i];
    if (ch === '\\') {
      text += src.slice(i, i + 2);
      i += 2;
    } else if (ch === '`') {
      return [out + (tag ? squeeze(tag, text) : text), i];
    } else if (ch === '$' && src[i + 1] === '{') {
      out += (tag ? squeeze(tag, text) : text) + '${';
      text = '';
      const [expr, end] = readExpression(src, i + 2);
      out += expr + '}';
      i = end + 1;
    } else {
      text += ch;
      i++;
    }
  }
  throw new Error('unterminated template literal');
}

/** Reads up to the `}` closing an expression; returns [rewritten, index of that brace]. */
function readExpression(src, start) {
  let depth = 0;
  let out = '';
  let i = start;
  while (i < src.length) {
    const ch = src[i];
    if (ch === '{') depth++;
    if (ch === '}') {
      if (depth === 0) return [out, i];
      depth--;
    }
    if (ch === "'" || ch === '"') {
      const end = src.indexOf(ch, i + 1);
      out += src.slice(i, end + 1);
      i = end + 1;
      continue;
    }
    if (ch === '`') {
      const tag = /\b(css|html|svg)$/.exec(out)?.[1];
      const [body, end] = readTemplate(src, i + 1, tag);
      out += '`' + body + '`';
      i = end + 1;
      continue;
    }
    out += ch;
    i++;
  }
  throw new Error('unterminated expression');
}

export function minifyTemplates(src) {
  let out = '';
  let last = 0;
  TAG.lastIndex = 0;
  for (let m = TAG.exec(src); m; m = TAG.exec(src)) {
    if (m.index < last) continue;
    const [body, end] = readTemplate(src, m.index + m[0].length, m[1]);
    out += src.slice(last, m.index) + m[0] + body + '`';
    last = end + 1;
    TAG.lastIndex = last;
  }
  return out + src.slice(last);
}

export function minifyLiterals() {
  return {
    name: 'minify-lit-literals',
    setup(build) {
      build.onLoad({ filter: /[\\/]src[\\/].*\.ts$/ }, async (args) => ({
        contents: minifyTemplates(await readFile(args.path, 'utf8')),
        loader: 'ts',
      }));
    },
  };
}
