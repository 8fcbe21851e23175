import type { ProviderEntry } from '../index';
import { cvLibraryBoard } from './board';
import { CV_LIBRARY_ORIGINS } from './client';
import { createCvLibrarySandbox } from './sandbox';

export * from './client';
export * from './intake';
export * from './mapping';
export { type CvLibrarySandbox, type CvLibrarySandboxState, createCvLibrarySandbox } from './sandbox';
export * from './schemas';
export * from './settings';

/** CV-Library's entry in the provider registry. */
export const cvLibrary: ProviderEntry = {
  name: 'cv-library',
  origins: CV_LIBRARY_ORIGINS,
  createSandbox: () => createCvLibrarySandbox().app,
  board: cvLibraryBoard,
  // A UK job board: `07700 900123` is a UK number.
  phoneCountry: 'GB',
};
