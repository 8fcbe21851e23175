// A résumé file's text, from PDF (unpdf: Mozilla's PDF.js built for servers) and DOCX (mammoth). Other types, and
// files with no text layer (scans), are said so: nothing is guessed from them.

export interface ResumeFile {
  filename: string;
  contentType: string;
  content: Buffer;
}

export type ResumeText = { text: string } | { problem: string };

/** Larger files are not read (a résumé is rarely over a few hundred kB). */
const MAX_BYTES = 10 * 1024 * 1024;

export function resumeKind(file: Pick<ResumeFile, 'filename' | 'contentType' | 'content'>): 'pdf' | 'docx' | undefined {
  const type = file.contentType.toLowerCase();
  const name = file.filename.toLowerCase();
  if (file.content.subarray(0, 5).toString('latin1') === '%PDF-') return 'pdf';
  if (type === 'application/pdf' || name.endsWith('.pdf')) return 'pdf';
  const zip = file.content.subarray(0, 2).toString('latin1') === 'PK';
  if (zip && (type.includes('wordprocessingml') || name.endsWith('.docx'))) return 'docx';
  return undefined;
}

/** The file's text, or why there is none. */
export async function resumeText(file: ResumeFile): Promise<ResumeText> {
  if (file.content.byteLength > MAX_BYTES) return { problem: 'résumé over 10 MB' };
  const kind = resumeKind(file);
  if (!kind) return { problem: `résumé type not read (${file.contentType || 'unknown type'})` };
  try {
    const text = kind === 'pdf' ? await pdfText(file.content) : await docxText(file.content);
    return text.trim() ? { text } : { problem: `résumé ${kind} has no text (scanned?)` };
  } catch {
    return { problem: `résumé ${kind} could not be read` };
  }
}

async function pdfText(content: Buffer): Promise<string> {
  const { extractText, getDocumentProxy } = await import('unpdf');
  const pdf = await getDocumentProxy(new Uint8Array(content), { verbosity: 0 });
  try {
    const { text } = await extractText(pdf, { mergePages: true });
    return text;
  } finally {
    await pdf.loadingTask.destroy();
  }
}

async function docxText(content: Buffer): Promise<string> {
  const mammoth = await import('mammoth');
  const { value } = await mammoth.extractRawText({ buffer: content });
  return value;
}
