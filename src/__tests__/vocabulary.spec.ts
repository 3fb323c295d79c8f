import { nullTranslator } from '@jupyterlab/translation';

import { formatDuration, formatTime, zonedTime } from '../components/format';
import {
  attemptsText,
  catchupLabel,
  describeCron,
  overlapLabel
} from '../components/vocabulary';

const trans = nullTranslator.load('jupyterlab_nbjobs');

describe('one vocabulary', () => {
  it('puts a cron in the same words everywhere, with 24-hour times', () => {
    expect(describeCron('0 9 * * 1-5')).toBe('At 09:00, Monday through Friday');
    expect(describeCron('*/5 9-17 * * *')).toContain('between 09:00 and 17:59');
    expect(describeCron('not a cron')).toBeNull();
  });

  it('names policies as the form does, not as their values', () => {
    expect(overlapLabel('skip', trans)).toBe('Skip this run');
    expect(overlapLabel('allow', trans)).toBe('Run anyway');
    expect(catchupLabel('once', trans)).toBe('Run once');
    expect(catchupLabel('skip', trans)).toBe('Skip them');
  });

  it('counts attempts against the retries allowed', () => {
    expect(attemptsText(1, 0, trans)).toBe('1 (no retries)');
    expect(attemptsText(2, 3, trans)).toBe('2 of at most 4 (3 retries)');
    expect(attemptsText(1, 1, trans)).toBe('1 of at most 2 (1 retry)');
  });

  it('gives short durations to the tenth of a second, as the log does', () => {
    const start = '2026-01-01T00:00:00.000Z';
    expect(formatDuration(start, '2026-01-01T00:00:00.110Z')).toBe('0.1 s');
    expect(formatDuration(start, '2026-01-01T00:00:02.340Z')).toBe('2.3 s');
    expect(formatDuration(start, '2026-01-01T00:01:05.000Z')).toBe('1m 5s');
    expect(formatDuration(start, '2026-01-01T02:00:01.000Z')).toBe('2h 0m 1s');
  });
});

describe('times in a zone', () => {
  it("shows a schedule's time in its zone, named, and the browser's beside it", () => {
    // 2026-12-02 00:00 UTC is 09:00 in Tokyo; the test runs in UTC (TZ=UTC below if not).
    const iso = '2026-12-02T00:00:00Z';
    const { primary, secondary } = zonedTime(iso, 'Asia/Tokyo');
    expect(primary).toContain('09:00');
    expect(primary).toContain('(Asia/Tokyo)');
    const local = Intl.DateTimeFormat().resolvedOptions().timeZone;
    if (formatTime(iso, local) !== formatTime(iso, 'Asia/Tokyo')) {
      expect(secondary).toContain(`(${local})`);
    }
    // The same zone as the browser's: no second time.
    expect(zonedTime(iso, local).secondary).toBeNull();
  });

  it('falls back to the browser zone for a zone it does not know', () => {
    expect(formatTime('2026-12-02T00:00:00Z', 'Not/AZone')).toBe(
      formatTime('2026-12-02T00:00:00Z')
    );
  });
});

describe('output formats', () => {
  it('offers the useful few first and keeps the rest for "More formats"', () => {
    // eslint-disable-next-line @typescript-eslint/no-var-requires
    const { splitFormats } = require('../components/OutputsSection');
    const names = ['ipynb', 'asciidoc', 'html', 'latex', 'markdown', 'python', 'rst', 'script', 'slides', 'webpdf'];
    const { useful, more } = splitFormats(names.map(name => ({ name, label: name })));
    expect(useful.map((f: any) => f.name)).toEqual(['ipynb', 'html', 'webpdf', 'script', 'markdown']);
    expect(more.map((f: any) => f.name)).toEqual(['asciidoc', 'latex', 'python', 'rst', 'slides']);
  });
});
