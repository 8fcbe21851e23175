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

/**
 * What a file really is, from its bytes (the declared content type and filename only decide plain text,
 * which has no signature). `undefined`: not a format we take.
 */
export function detectCvKind(content: Buffer, declared: { contentType: string; filename: string }): CvKind | undefined {
  if (content.subarray(0, 1024).includes(ascii('%PDF-'))) return 'pdf';
  if (content.subarray(0, 8).equals(OLE2)) return content.includes(WORD_STREAM) ? 'doc' : undefined;
  if (content.subarray(0, 4).equals(ZIP)) {
    if (content.subarray(30, 30 + ODT_MIMETYPE.length).equals(ODT_MIMETYPE)) return 'odt';
    return content.includes(DOCX_PART) ? 'docx' : undefined;
  }
  if (content.subarray(0, 5).equals(ascii('{\\rtf'))) return 'rtf';
  const saysText = /^text\/plain\b/i.test(declared.contentType.trim()) || /\.txt$/i.test(declared.filename);
  return saysText && isUtf8Text(content) ? 'txt' : undefined;
}

/** Looks at a delivered CV: acceptable (with its real content type) or refused with a reason a recruiter can read. */
export function inspectCv(cv: { filename: string; contentType: string; content: Buffer } | undefined): CvVerdict {
  if (!cv) return { kind: 'none' };
  if (cv.content.byteLength === 0) return { kind: 'refused', reason: 'the CV file is empty' };
  const kind = detectCvKind(cv.content, cv);
  if (!kind) {
    return {
      kind: 'refused',
      reason: `the CV is not a PDF, DOC, DOCX, RTF, TXT or ODT file (declared ${JSON.stringify(cv.contentType.slice(0, 100))})`,
    };
  }
  return { kind: 'acceptable', contentType: CV_TYPES[kind] };
}

/** The file's own name, without any path or control characters, never empty. */
export function safeFilename(filename: string, contentType: string): string {
  const base = filename
    .split(/[\\/]/)
    .pop()!
    .replace(/\p{Cc}|"/gu, '')
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
