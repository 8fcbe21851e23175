import { docxOf, pdfOf } from '../../src/providers/smartrecruiters/sandbox-files';
import { parseResumeSections } from '../../src/resumes/sections';
import { resumeText } from '../../src/resumes/text';

const LINES = [
  'Ana Nowak',
  'Profile',
  'Payroll professional.',
  'Work Experience',
  'Payroll Lead, Acme (UK) Ltd',
  'Feb 2020 - Present',
  'Ran payroll for 1,200 staff.',
  'Clerk at First Bank',
  '03/2017 – 01/2020',
  '',
  'Education:',
  'MSc Finance, University of Kraków',
  '2014 - 2016',
  'Skills',
  'Excel',
];

describe('résumé text and sections', () => {
  it('reads the Experience and Education entries: header, dates, summary', () => {
    expect(parseResumeSections(LINES.join('\n'))).toEqual({
      experience: [
        {
          source: 'resume',
          title: 'Payroll Lead',
          company: 'Acme (UK) Ltd',
          startDate: '2020-02',
          current: true,
          summary: 'Ran payroll for 1,200 staff.',
        },
        { source: 'resume', title: 'Clerk', company: 'First Bank', startDate: '2017-03', endDate: '2020-01' },
      ],
      education: [{ source: 'resume', institution: 'University of Kraków', degree: 'MSc Finance', startDate: '2014', endDate: '2016' }],
      problems: [],
    });
  });

  it('reads dates on the header line, and keeps what it cannot read as text, counted, not guessed', () => {
    const parsed = parseResumeSections(
      'EXPERIENCE\nSenior Dev | Big Co | 2020 - 2022\nJunior Dev @ Small Co (2018 - 2020)\n\nEducation\nSelf-taught, lots of reading',
    );
    expect(parsed.experience).toEqual([
      { source: 'resume', title: 'Senior Dev', company: 'Big Co', startDate: '2020', endDate: '2022' },
      { source: 'resume', title: 'Junior Dev', company: 'Small Co', startDate: '2018', endDate: '2020' },
    ]);
    expect(parsed.education).toEqual([{ source: 'resume', unparsed: 'Self-taught, lots of reading' }]);
    expect(parsed.problems).toEqual(['résumé: education entry not parsed']);
    expect(parseResumeSections('Just a cover letter.\nNothing else.')).toEqual({
      experience: [],
      education: [],
      problems: ['résumé: no Experience or Education heading'],
    });
  });

  it('extracts the same entries from a PDF and from a DOCX', async () => {
    for (const file of [
      { filename: 'cv.pdf', contentType: 'application/pdf', content: pdfOf(LINES) },
      {
        filename: 'cv.docx',
        contentType: 'application/vnd.openxmlformats-officedocument.wordprocessingml.document',
        content: docxOf(LINES),
      },
    ]) {
      const text = await resumeText(file);
      if (!('text' in text)) throw new Error(`no text from ${file.filename}: ${text.problem}`);
      const parsed = parseResumeSections(text.text);
      expect(parsed.experience.map((e) => [e.title, e.company, e.startDate])).toEqual([
        ['Payroll Lead', 'Acme (UK) Ltd', '2020-02'],
        ['Clerk', 'First Bank', '2017-03'],
      ]);
      expect(parsed.education).toHaveLength(1);
    }
  });

  it('says why a file has no text instead of guessing', async () => {
    expect(await resumeText({ filename: 'photo.png', contentType: 'image/png', content: Buffer.from('png') })).toEqual({
      problem: 'résumé type not read (image/png)',
    });
    expect(await resumeText({ filename: 'cv.pdf', contentType: 'application/pdf', content: Buffer.from('%PDF-1.4 broken') })).toEqual({
      problem: 'résumé pdf could not be read',
    });
    expect(await resumeText({ filename: 'scan.pdf', contentType: 'application/pdf', content: pdfOf([]) })).toEqual({
      problem: 'résumé pdf has no text (scanned?)',
    });
  });
});
