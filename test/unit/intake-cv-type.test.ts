import { CV_TYPES, inspectCv, safeFilename } from '../../src/intake/cv-type';
import { tinyPdf } from '../../src/providers/cv-library/sandbox-direct-apply';

const cv = (content: Buffer, contentType = 'application/octet-stream', filename = 'cv') => inspectCv({ filename, contentType, content });

/** A ZIP's first local file header naming `name` (enough for the signature checks). */
const zipWith = (name: string, data = '') =>
  Buffer.concat([Buffer.from('PK\x03\x04', 'latin1'), Buffer.alloc(26), Buffer.from(name + data, 'latin1')]);

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
    expect(exe).toEqual({ kind: 'refused', reason: expect.stringContaining('not a PDF, DOC, DOCX, RTF, TXT or ODT file') });
    expect(cv(Buffer.alloc(0), 'application/pdf')).toEqual({ kind: 'refused', reason: 'the CV file is empty' });
    expect(inspectCv(undefined)).toEqual({ kind: 'none' });
  });

  it('keeps only the file’s own name', () => {
    expect(safeFilename('C:\\Users\\amelia\\My CV.pdf', CV_TYPES.pdf)).toBe('My CV.pdf');
    expect(safeFilename('../../etc/passwd\n', CV_TYPES.txt)).toBe('passwd');
    expect(safeFilename('/', CV_TYPES.pdf)).toBe('cv.pdf');
  });
});
