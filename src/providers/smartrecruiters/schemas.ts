import { z } from 'zod';

// What SmartRecruiters' Posting API (public) and Candidates API (X-SmartToken) return, as far as jobrelay reads it
// (../shared/providers/lever-smartrecruiters.md, part 2). Unknown keys are ignored; most fields may be absent.

const text = z.string().nullish();
/** ISO 8601 with milliseconds and Z, e.g. 2014-02-19T19:36:42.346Z. */
const isoTime = z.iso.datetime({ offset: true });
const labelled = z.object({ id: text, label: text }).partial().nullish();

export const SrError = z.object({
  message: text,
  errors: z.array(z.object({ code: text, message: text }).partial()).nullish(),
});

export const SrLocation = z
  .object({ city: text, region: text, country: text, remote: z.boolean().nullish(), address: text, postalCode: text })
  .partial();

/** A posting as the public list shows it (partial: the details add the job ad). */
export const SrPostingItem = z.object({
  id: z.string(),
  uuid: text,
  name: z.string().default(''),
  jobAdId: text,
  defaultJobAd: z.boolean().nullish(),
  refNumber: text,
  company: z.object({ identifier: text, name: text }).partial().nullish(),
  releasedDate: isoTime.nullish(),
  location: SrLocation.nullish(),
  industry: labelled,
  department: labelled,
  function: labelled,
  typeOfEmployment: labelled,
  experienceLevel: labelled,
  customField: z.array(z.object({ fieldId: text, fieldLabel: text, valueId: text, valueLabel: text }).partial()).nullish(),
  ref: text,
  creator: z.object({ name: text }).partial().nullish(),
  language: z.object({ code: text, label: text }).partial().nullish(),
});

const JobAdSection = z.object({ title: text, text: text }).partial().nullish();

/** A posting's details: the list fields, the job ad's sections and its URLs. */
export const SrPosting = SrPostingItem.extend({
  applyUrl: text,
  postingUrl: text,
  jobAd: z
    .object({
      sections: z
        .object({
          companyDescription: JobAdSection,
          jobDescription: JobAdSection,
          qualifications: JobAdSection,
          additionalInformation: JobAdSection,
        })
        .partial()
        .nullish(),
    })
    .partial()
    .nullish(),
});

export const SrPostingsPage = z.object({
  offset: z.number().int().default(0),
  limit: z.number().int().optional(),
  totalFound: z.number().int().optional(),
  content: z.array(SrPostingItem).default([]),
});

/** A candidate's place in one job: the per-job status. */
export const SrAssignment = z.object({
  job: z.object({ id: z.string(), title: text }).partial({ title: true }),
  status: z.string(),
  subStatus: text,
  source: text,
  /** When they applied, where given (not in the documented sketch). */
  createdOn: isoTime.nullish(),
});

/** A candidate as `GET /candidates` lists it (partial: the details add education, experience, links). */
export const SrCandidateItem = z.object({
  id: z.string(),
  internal: z.boolean().nullish(),
  firstName: text,
  lastName: text,
  email: text,
  phoneNumber: text,
  location: SrLocation.nullish(),
  createdOn: isoTime.nullish(),
  updatedOn: isoTime,
  primaryAssignment: SrAssignment.nullish(),
  secondaryAssignments: z.array(SrAssignment).nullish(),
  actions: z
    .object({ details: z.object({ url: text, method: text }).partial().nullish() })
    .partial()
    .nullish(),
});

export const SrCandidatesPage = z.object({
  limit: z.number().int().optional(),
  totalFound: z.number().int().optional(),
  nextPageId: text,
  content: z.array(SrCandidateItem).default([]),
});

const partialDate = z.string().nullish(); // "2004", "2014-01", or empty

export const SrCandidate = z.object({
  id: z.string(),
  firstName: text,
  lastName: text,
  email: text,
  phoneNumber: text,
  location: SrLocation.nullish(),
  web: z.object({ skype: text, linkedin: text, facebook: text, twitter: text, website: text }).partial().nullish(),
  createdOn: isoTime.nullish(),
  updatedOn: isoTime.nullish(),
  tags: z.array(z.string()).nullish(),
  education: z
    .array(
      z
        .object({
          institution: text,
          degree: text,
          major: text,
          current: z.boolean().nullish(),
          startDate: partialDate,
          endDate: partialDate,
          description: text,
        })
        .partial(),
    )
    .nullish(),
  experience: z
    .array(
      z
        .object({
          title: text,
          company: text,
          current: z.boolean().nullish(),
          startDate: partialDate,
          endDate: partialDate,
          description: text,
        })
        .partial(),
    )
    .nullish(),
});

export const SrAttachment = z.object({
  id: z.string(),
  name: z.string().default('attachment'),
  type: text,
  contentType: text,
  actions: z
    .object({ download: z.object({ url: text, method: text }).partial().nullish() })
    .partial()
    .nullish(),
});

export const SrAttachments = z.object({ totalFound: z.number().int().optional(), content: z.array(SrAttachment).default([]) });

export type SrPostingItem = z.infer<typeof SrPostingItem>;
export type SrPosting = z.infer<typeof SrPosting>;
export type SrAssignment = z.infer<typeof SrAssignment>;
export type SrCandidateItem = z.infer<typeof SrCandidateItem>;
export type SrCandidate = z.infer<typeof SrCandidate>;
export type SrAttachment = z.infer<typeof SrAttachment>;
