import type { CvVerdict } from './rules';

/** The CV formats we take, by their canonical content type. */
export const CV_TYPES = {
  pdf: 'application/pdf',
  doc: 'application/msword',
  docx: 'application/vnd.openxmlformats-officedocument.wordprocessingml.document',
  rtf: 'application/rtf',
  txt: 'text/plain',
  odt: 'application/vnd.oasis.opendocument.text',
} as const;

export type CvKind = keyof typeof CV_TYPES;

const ascii = (s: string) => Buffer.from(s, 'latin1');
const OLE2 = Buffer.from([0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1]);
const ZIP = ascii('PK\x03\x04');
const ODT_MIMETYPE = ascii('mimetypeapplication/vnd.oasis.opendocument.text');
const DOCX_PART = ascii('word/document.xml');
const WORD_STREAM = Buffer.from('WordDocument', 'utf16le');
/** A ZIP ends with its end-of-central-directory record, at most 64 KiB of comment from the end. */
const ZIP_END = ascii('PK\x05\x06');
const PDF_END = ascii('%%EOF');

/** Programs, whatever they claim to be: ELF, PE (MZ), Mach-O (both byte orders, 32/64-bit, universal) and scripts. */
const EXECUTABLES = [
  ascii('\x7fELF'),
  ascii('MZ'),
  Buffer.from([0xfe, 0xed, 0xfa, 0xce]),
  Buffer.from([0xfe, 0xed, 0xfa, 0xcf]),
  Buffer.from([0xce, 0xfa, 0xed, 0xfe]),
  Buffer.from([0xcf, 0xfa, 0xed, 0xfe]),
  Buffer.from([0xca, 0xfe, 0xba, 0xbe]),
  ascii('#!'),
];

export const isExecutable = (content: Buffer) => EXECUTABLES.some((magic) => content.subarray(0, magic.length).equals(magic));

/**
 * What a file really is, from its bytes: the format's signature at the very start and a plausible end (the
 * declared content type and filename only decide plain text, which has no signature). `undefined`: not a format
 * we take.
 */
export function detectCvKind(content: Buffer, declared: { contentType: string; filename: string }): CvKind | undefined {
  if (isExecutable(content)) return undefined;
  const tail = (bytes: number) => content.subarray(Math.max(0, content.length - bytes));
  if (content.subarray(0, 5).equals(ascii('%PDF-'))) return tail(2048).includes(PDF_END) ? 'pdf' : undefined;
  if (content.subarray(0, 8).equals(OLE2)) return content.includes(WORD_STREAM) ? 'doc' : undefined;
  if (content.subarray(0, 4).equals(ZIP)) {
    if (!tail(65_557).includes(ZIP_END)) return undefined;
    if (content.subarray(30, 30 + ODT_MIMETYPE.length).equals(ODT_MIMETYPE)) return 'odt';
    return content.includes(DOCX_PART) ? 'docx' : undefined;
  }
  if (content.subarray(0, 5).equals(ascii('{\\rtf')))
    return content.toString('latin1').trimEnd().replace(/\0+$/, '').endsWith('}') ? 'rtf' : undefined;
  const saysText = /^text\/plain\b/i.test(declared.contentType.trim()) || /\.txt$/i.test(declared.filename);
  return saysText && isUtf8Text(content) ? 'txt' : undefined;
}

/** Looks at a delivered CV: acceptable (with its real content type) or refused with a reason a recruiter can read. */
export function inspectCv(cv: { filename: string; contentType: string; content: Buffer } | undefined): CvVerdict {
  if (!cv) return { kind: 'none' };
  if (cv.content.byteLength === 0) return { kind: 'refused', reason: 'the CV file is empty' };
  if (isExecutable(cv.content)) return { kind: 'refused', reason: 'the CV is a program (an executable or a script), not a document' };
  const kind = detectCvKind(cv.content, cv);
  if (!kind) {
    return {
      kind: 'refused',
      reason: `the CV is not a PDF, DOC, DOCX, RTF, TXT or ODT file (declared ${JSON.stringify(cv.contentType.slice(0, 100))})`,
    };
  }
  return { kind: 'acceptable', contentType: CV_TYPES[kind] };
}

/**
 * The file's own name, without any path, control or format characters (bidi overrides such as U+202E would show
 * `cv‮fdp.exe` as `cvexe.pdf`), never empty.
 */
export function safeFilename(filename: string, contentType: string): string {
  const base = filename
    .split(/[\\/]/)
    .pop()!
    .replace(/\p{Cc}|\p{Cf}|"/gu, '')
    .trim()
    .slice(-200);
  if (base && base !== '.' && base !== '..') return base;
  const kind = (Object.keys(CV_TYPES) as CvKind[]).find((k) => CV_TYPES[k] === contentType);
  return `cv.${kind ?? 'bin'}`;
}

function isUtf8Text(content: Buffer): boolean {
  if (content.includes(0)) return false;
  try {
    new TextDecoder('utf-8', { fatal: true }).decode(content);
    return true;
  } catch {
    return false;
  }
}
