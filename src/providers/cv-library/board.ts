import type { BoardEntry, PostingContext } from '../../boards/types';
import type { Job } from '../../domain/job';
import type { Published } from '../../domain/posting';
import { type Published as CvPublished, createCvLibraryClient } from './client';
import { directApply } from './intake';
import { checkPostable, mappedJobType, toCvLibraryJob } from './mapping';
import { CvLibraryAccountSettings, CvLibraryBoardSettings } from './settings';

/** CV-Library as a job board: settings, postability rules and the client behind a posting. */
export const cvLibraryBoard: BoardEntry<CvLibraryBoardSettings, CvLibraryAccountSettings> = {
  settingsSchema: CvLibraryBoardSettings,
  accountSchema: CvLibraryAccountSettings,

  problems: (job, settings, options) => checkPostable(job, settings, { jobType: options.jobType, postcode: options.postcode }),

  accountProblems: (settings, account) => (posterOf(settings, account) ? [] : [missingPoster(account)]),

  mapsJobStatus: (settings, employmentStatus) => mappedJobType(settings.jobTypeMapping, employmentStatus) !== undefined,

  connect(settings, account, origins) {
    const posterEmail = posterOf(settings, account);
    if (!posterEmail) throw new Error(missingPoster(account));
    const client = createCvLibraryClient({
      baseUrl: settings.baseUrl,
      credentials: account?.credentials ?? settings.credentials,
      posterEmail,
      origins,
    });
    const toJob = (job: Job, ctx: PostingContext) =>
      toCvLibraryJob(job, {
        jobTypeMapping: settings.jobTypeMapping,
        industryMapping: settings.industryMapping,
        reference: ctx.reference,
        posterEmail,
        directApplyUrl: ctx.directApplyUrl,
        quickApply: ctx.options.quickApply,
        expiryDays: settings.expiryDays,
        overrides: { jobType: ctx.options.jobType, salaryText: ctx.options.salaryText, postcode: ctx.options.postcode },
      });
    return {
      publish: async (job, ctx) => toPublished(await client.createJob(toJob(job, ctx))),
      amend: async (externalId, job, ctx) => toPublished(await client.updateJob(externalId, toJob(job, ctx))),
      remove: (externalId) => client.deleteJob(externalId),
      testConnection: () => client.testConnection(),
    };
  },

  intake: directApply,
};

/** Every CV-Library job call names its poster: the recruiter's own account brings its own, the generic one the board's. */
const posterOf = (settings: CvLibraryBoardSettings, account?: CvLibraryAccountSettings) =>
  account ? account.posterEmail : settings.posterEmail;

const missingPoster = (account?: CvLibraryAccountSettings) =>
  account
    ? 'the account has no posterEmail: CV-Library posts every job under a poster email on the account'
    : 'the board settings have no posterEmail: CV-Library posts every job of the generic account under a poster email on that account';

function toPublished(p: CvPublished): Published {
  return { externalId: p.jobId, publicUrl: p.url, postedAt: new Date().toISOString(), expiresAt: p.expiresAt };
}
