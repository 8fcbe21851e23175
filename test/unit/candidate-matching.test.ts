import { foldSurname } from '../../src/domain/candidate';
import { nationalForms, normalisePhone, PhoneCountry, phoneForms } from '../../src/domain/phone';

describe('phone normal form', () => {
  it('keeps what UK numbers, international ones and unknown national ones always became', () => {
    // The forms written before phones were read in their source's country (erased people's keys hold them).
    for (const country of [undefined, 'GB', 'PL'] as const) {
      expect(normalisePhone('07700 900123', country)).toBe('07700900123');
      expect(normalisePhone('+44 (0)7700 900123', country)).toBe('07700900123');
      expect(normalisePhone('+44 7700 900123', country)).toBe('07700900123');
      expect(normalisePhone('0044 7700 900123', country)).toBe('07700900123');
      expect(normalisePhone('+48 600 100 200', country)).toBe('+48600100200');
      expect(normalisePhone('0048 600-100-200', country)).toBe('+48600100200');
      expect(normalisePhone('+1 (415) 555-0100', country)).toBe('+14155550100');
    }
    expect(normalisePhone('020 7946 0018', 'GB')).toBe('02079460018');
    expect(normalisePhone('600 100 200')).toBe('600100200');
  });

  it('reads a national number in its source’s country: Poland’s 600 100 200 is +48 600 100 200', () => {
    expect(normalisePhone('600 100 200', 'PL')).toBe(normalisePhone('+48 600 100 200', 'GB'));
    expect(normalisePhone('22 123 45 67', 'PL')).toBe('+48221234567');
    // A UK number read in Poland is not a Polish one.
    expect(normalisePhone('07700 900123', 'PL')).toBe('07700900123');
  });

  it('does not make a Polish national number a UK one under a GB default', () => {
    expect(normalisePhone('600 100 200', 'GB')).toBe('600100200');
    expect(normalisePhone('600 100 200', 'GB')).not.toBe(normalisePhone('+44 600 100 200'));
  });

  it('takes no junk for a phone', () => {
    for (const junk of [undefined, '', '   ', 'n/a', 'call me', '12345', '+44', '(0)']) {
      expect(normalisePhone(junk, 'PL')).toBeUndefined();
      expect(phoneForms(junk, 'PL')).toEqual([]);
    }
  });

  it('gives today’s form, then the one written before countries when it differs', () => {
    expect(phoneForms('600 100 200', 'PL')).toEqual(['+48600100200', '600100200']);
    expect(phoneForms('+48 600 100 200', 'PL')).toEqual(['+48600100200']);
    expect(phoneForms('07700 900123', 'GB')).toEqual(['07700900123']);
  });

  it('gives an international number’s national digits, without and with the trunk prefix, not already among its forms', () => {
    expect(nationalForms('+48 600 100 200', 'GB')).toEqual(['600100200']);
    expect(nationalForms('0048 600-100-200')).toEqual(['600100200']);
    expect(nationalForms('+33 6 12 34 56 78', 'GB')).toEqual(['612345678', '0612345678']);
    expect(nationalForms('+44 (0)7700 900123')).toEqual(['7700900123']);
    // Read in its source's country, a national number's digits are among its forms already (the legacy one).
    expect(nationalForms('600 100 200', 'PL')).toEqual([]);
    // Digits whose country is not known have no national form, nor has junk.
    for (const phone of ['600 100 200', '07700 900123', '+48 12', 'n/a', undefined]) expect(nationalForms(phone, 'GB')).toEqual([]);
  });

  it('names a country by its ISO code, in any case', () => {
    expect(PhoneCountry.parse(' pl ')).toBe('PL');
    expect(PhoneCountry.safeParse('XX').success).toBe(false);
    expect(PhoneCountry.safeParse('Poland').success).toBe(false);
  });
});

describe('surname fold', () => {
  it('folds non-ASCII capitals as it folds ASCII ones, and trims', () => {
    expect(foldSurname(' ŁUCZAK ')).toBe(foldSurname('łuczak'));
    expect(foldSurname('ŚLIWA')).toBe(foldSurname('Śliwa'));
    expect(foldSurname('ŻÓŁĆ')).toBe('żółć');
    expect(foldSurname('  ')).toBeUndefined();
  });
});
