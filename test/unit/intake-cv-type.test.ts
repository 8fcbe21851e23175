import { CV_TYPES, inspectCv, safeFilename } from '../../src/intake/cv-type';
import { tinyPdf } from '../../src/providers/cv-library/sandbox-direct-apply';

const cv = (content: Buffer, contentType = 'application/octet-stream', filename = 'cv') => inspectCv({ filename, contentType, content });

/** A ZIP's first local file header naming `name`, and its end-of-central-directory record (enough for the checks). */
const zipWith = (name: string, data = '', end = true) =>
  Buffer.concat([
    Buffer.from('PK\x03\x04', 'latin1'),
    Buffer.alloc(26),
    Buffer.from(name + data, 'latin1'),
    end ? Buffer.concat([Buffer.from('PK\x05\x06', 'latin1'), Buffer.alloc(18)]) : Buffer.alloc(0),
  ]);

describe('CV type check (magic bytes, not the declared type)', () => {
  it('takes a PDF whatever it was declared as', () => {
    expect(cv(Buffer.from(tinyPdf('Amelia Khan'), 'base64'))).toEqual({ kind: 'acceptable', contentType: CV_TYPES.pdf });
  });

  it('tells DOCX from ODT from another ZIP', () => {
    expect(cv(zipWith('[Content_Types].xml', '...word/document.xml...'))).toEqual({ kind: 'acceptable', contentType: CV_TYPES.docx });
    expect(cv(zipWith('mimetype', 'application/vnd.oasis.opendocument.text'))).toEqual({ kind: 'acceptable', contentType: CV_TYPES.odt });
    expect(cv(zipWith('photo.jpg'), 'application/vnd.openxmlformats-officedocument.wordprocessingml.document').kind).toBe('refused');
  });

  it('takes a Word 97 document but not another OLE file', () => {
    const ole = Buffer.from([0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1]);
    expect(cv(Buffer.concat([ole, Buffer.alloc(512), Buffer.from('WordDocument', 'utf16le')]))).toEqual({
      kind: 'acceptable',
      contentType: CV_TYPES.doc,
    });
    expect(cv(Buffer.concat([ole, Buffer.from('Workbook', 'utf16le')]), 'application/msword').kind).toBe('refused');
  });

  it('takes RTF, and plain text only when declared so and really text', () => {
    expect(cv(Buffer.from('{\\rtf1\\ansi Amelia}'))).toEqual({ kind: 'acceptable', contentType: CV_TYPES.rtf });
    expect(cv(Buffer.from('Amelia Khan — payroll, 6 years'), 'text/plain; charset=utf-8')).toEqual({
      kind: 'acceptable',
      contentType: CV_TYPES.txt,
    });
    expect(cv(Buffer.from('Amelia Khan'), 'application/octet-stream', 'cv.txt').kind).toBe('acceptable');
    expect(cv(Buffer.from('Amelia Khan'), 'application/pdf').kind).toBe('refused');
    expect(cv(Buffer.from([0x41, 0x00, 0x42]), 'text/plain').kind).toBe('refused');
  });

  it('refuses an executable declared as a PDF, and an empty file, saying why', () => {
    const exe = cv(Buffer.from('MZ\x90\x00\x03', 'latin1'), 'application/pdf', 'cv.pdf');
    expect(exe).toEqual({ kind: 'refused', reason: expect.stringContaining('a program (an executable or a script)') });
    expect(cv(Buffer.from('GIF89a'), 'application/pdf')).toEqual({
      kind: 'refused',
      reason: expect.stringContaining('not a PDF, DOC, DOCX, RTF, TXT or ODT file'),
    });
    expect(cv(Buffer.alloc(0), 'application/pdf')).toEqual({ kind: 'refused', reason: 'the CV file is empty' });
    expect(inspectCv(undefined)).toEqual({ kind: 'none' });
  });

  it('requires the signature at the very start and a plausible end: an ELF with %PDF- inside is refused', () => {
    const pdf = Buffer.from(tinyPdf('Amelia Khan'), 'base64');
    const elf = Buffer.concat([Buffer.from('\x7fELF\x02\x01\x01', 'latin1'), Buffer.alloc(64), pdf]);
    expect(cv(elf, 'application/pdf', 'cv.pdf')).toEqual({ kind: 'refused', reason: expect.stringContaining('a program') });
    expect(cv(Buffer.concat([Buffer.from('junk'), pdf]), 'application/pdf').kind).toBe('refused');
    expect(cv(pdf.subarray(0, pdf.length - 8), 'application/pdf').kind).toBe('refused'); // no %%EOF
    expect(cv(zipWith('[Content_Types].xml', 'word/document.xml', false)).kind).toBe('refused'); // no end record
    expect(cv(Buffer.from('{\\rtf1 cut sho'), 'application/rtf').kind).toBe('refused');
  });

  it('refuses Mach-O, PE and scripts, whatever they are declared as', () => {
    for (const magic of [
      [0xcf, 0xfa, 0xed, 0xfe],
      [0xca, 0xfe, 0xba, 0xbe],
      [0x4d, 0x5a, 0x90, 0x00],
    ])
      expect(cv(Buffer.concat([Buffer.from(magic), Buffer.from('%PDF-1.4 %%EOF')]), 'application/pdf').kind).toBe('refused');
    expect(cv(Buffer.from('#!/bin/sh\nrm -rf ~\n'), 'text/plain', 'cv.txt')).toEqual({
      kind: 'refused',
      reason: expect.stringContaining('a program'),
    });
  });

  it('strips bidi overrides and other invisible format characters from file names', () => {
    expect(safeFilename('cv\u202Efdp.exe', CV_TYPES.pdf)).toBe('cvfdp.exe');
    expect(safeFilename('\u2066my\u200F cv\u2069.pdf', CV_TYPES.pdf)).toBe('my cv.pdf');
  });

  it('keeps only the file’s own name', () => {
    expect(safeFilename('C:\\Users\\amelia\\My CV.pdf', CV_TYPES.pdf)).toBe('My CV.pdf');
    expect(safeFilename('../../etc/passwd\n', CV_TYPES.txt)).toBe('passwd');
    expect(safeFilename('/', CV_TYPES.pdf)).toBe('cv.pdf');
  });
});
