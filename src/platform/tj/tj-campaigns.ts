import type { Locator } from 'playwright';
import type { Layout } from '../../core/layout.js';
import type { AdProblem, AdsRequest, CreateAdsOutcome } from '../../core/platform.js';
import { CreativeFlowError } from '../../core/errors.js';
import type { StorageRepository } from '../../store/storage.repository.js';
import { creativeIdsOf, renderCampaignRows, withCampaignName, type AdRow } from '../../core/campaign-format.js';
import { AD_ROWS, TJ, TJ_HINTS } from './selectors.js';
import type { OpenSignedIn } from './tj-library.js';
import type { TjPage } from './tj-page.js';

/** What the campaign flow needs of the uploader around it. */
export interface TjCampaignsDeps {
  readonly openSignedIn: OpenSignedIn;
  readonly appUrl: string;
  readonly layout: Layout;
  readonly storage: StorageRepository;
  /** Told of each page of a table read: progress a new session has made (see session-guard.ts). */
  readonly onPageRead: () => void;
}

/** A row of a campaign's ads table, as its cells read. */
type TableRow = readonly string[];

/** What TJ said to a CSV's preview. */
type Preview =
  | { readonly kind: 'ready' }
  | { readonly kind: 'invalid'; readonly ids: readonly string[]; readonly text: string }
  | { readonly kind: 'error'; readonly text: string };

/** TJ refused a campaign's CSV for a reason other than its creatives. */
export class CampaignCsvRefusedError extends CreativeFlowError {}

const c = TJ.campaign;
/** A hint: an error TJ shows is taken to be Bootstrap's alert; without one, a step fails after its wait, with a screenshot. */
const errorAlert = TJ_HINTS.errorAlert;

/**
 * "Mass create with CSV" on a campaign's ad settings (TJ-CONTRACT.md): the ads its table already
 * shows are never sent again, TJ's "not valid" creatives are dropped and the rest sent once more,
 * and the table is read again afterwards to tell by name (or by creative ids) which ads exist.
 */
export class TjCampaigns {
  constructor(
    private readonly tj: TjPage,
    private readonly deps: TjCampaignsDeps,
  ) {}

  /**
   * `confirmed`: the ads an earlier try confirmed before TJ's session ended under it (kept across
   * tries by the caller). They are never sent again in this run: the table says whether TJ made
   * them, and one it does not show is reported missing, for a later run to read again.
   */
  async createAds(campaignId: string, ads: AdsRequest, confirmed: Set<string> = new Set()): Promise<CreateAdsOutcome> {
    const campaignName = await this.open(campaignId);
    const before = await this.readTable(campaignId);
    const confirmedBefore = ads.rows.filter((row) => confirmed.has(nameOf(row)));
    // A run cut short may have created some already: those are never sent again.
    const alreadyThere = ads.rows.filter((row) => shownByName(row, before) && !confirmed.has(nameOf(row)));
    let toSend = withCampaignName(
      ads.rows.filter((row) => !alreadyThere.includes(row) && !confirmed.has(nameOf(row))),
      campaignName,
    );
    const refused: AdProblem[] = [];
    const invalidIds = new Set<string>();
    let failure: string | undefined;
    let errorChecked = false;
    // TJ names the creatives that do not fit: those rows are dropped and the rest tried once more.
    for (let attempt = 1; toSend.length > 0; attempt += 1) {
      const preview = await this.preview(campaignId, ads.header, toSend, attempt > 1);
      if (preview.kind === 'ready') {
        // From the click on, TJ may make them: a try after a session that ended reads the table, never sends them again.
        for (const row of toSend) confirmed.add(nameOf(row));
        failure = await this.confirm(campaignId);
        break;
      }
      if (preview.kind === 'error') {
        // A dead session's calls fail too, and its error may read like a refusal: TJ's word is taken from a page loaded afresh, signed in (a dead session ends the try here).
        if (!errorChecked) {
          errorChecked = true;
          await this.open(campaignId);
          attempt -= 1;
          continue;
        }
        throw new CampaignCsvRefusedError(`TJ refused the CSV for campaign ${campaignId}: ${preview.text}`, {
          hint: "Check the CSV against TJ's format and limits; a screenshot of the page is in data/screenshots/.",
        });
      }
      const invalid = new Set(preview.ids);
      for (const id of invalid) invalidIds.add(id);
      const dropped = toSend.filter((row) => creativeIdsOf(row, ads.kind).some((id) => invalid.has(id)));
      for (const row of dropped)
        refused.push({
          adName: nameOf(row),
          reason: `TJ: creative ${creativeIdsOf(row, ads.kind)
            .filter((id) => invalid.has(id))
            .join(', ')} is not valid for this campaign`,
        });
      toSend = toSend.filter((row) => !dropped.includes(row));
      if (attempt === 2 || dropped.length === 0) {
        // Still refused after the one retry, or refused without naming any creative we sent: the rest waits for a person.
        for (const row of toSend)
          refused.push({
            adName: nameOf(row),
            reason: `TJ found issues it did not tie to a creative: ${preview.text}`,
          });
        toSend = [];
      }
    }
    const refusedNames = new Set(refused.map((problem) => problem.adName));
    const sent = ads.rows.filter((row) => !alreadyThere.includes(row) && !refusedNames.has(nameOf(row)));
    if (sent.length === 0)
      return {
        campaignName,
        alreadyThere: alreadyThere.map(nameOf),
        created: [],
        refused,
        invalidIds: [...invalidIds],
        missing: [],
      };

    // Verified in the table as the server has it now, never by a count (the table already read will do when nothing was sent in this try).
    if (sent.length > confirmedBefore.length) await this.open(campaignId);
    const after = sent.length > confirmedBefore.length ? await this.readTable(campaignId) : before;
    const created = sent.filter((row) => shownByName(row, after) || shownAsNewRow(row, ads, after, before));
    const missing = sent
      .filter((row) => !created.includes(row))
      .map((row) => ({
        adName: nameOf(row),
        reason: confirmedBefore.includes(row)
          ? "confirmed before TJ's session ended, and not in the ads table after signing in again (not sent twice; a later run reads the table again)"
          : (failure ?? "not in the campaign's ads table after creating"),
      }));
    return {
      campaignName,
      alreadyThere: alreadyThere.map(nameOf),
      created: created.map(nameOf),
      refused,
      invalidIds: [...invalidIds],
      missing,
    };
  }

  /** The campaign's ad settings, signed in, with any modal left open closed; returns the campaign's name. */
  private async open(campaignId: string): Promise<string> {
    const url = new URL(c.adSettingsPath.replace('{id}', encodeURIComponent(campaignId)), this.deps.appUrl).href;
    const ready = c.readyText.map((text) => `"${text}"`).join(' or ');
    // The page promises its ready texts, not the app's markers: they say signed in here.
    await this.deps.openSignedIn(
      url,
      `open campaign ${campaignId}`,
      `${ready}, then its ads table`,
      async () => {
        await this.tj.page
          .getByText(new RegExp(c.readyText.map(escapeRegExp).join('|')))
          .first()
          .waitFor({ timeout: TJ.navigationMs });
        await this.tj.settle(AD_ROWS, undefined, `the ads table of campaign ${campaignId}`);
      },
      c.readyText,
    );
    return this.step(`read the name of campaign ${campaignId}`, c.name, async () => {
      await this.tj.closeOverlays(c.openModalClose);
      return ((await this.tj.page.locator(c.name).first().textContent({ timeout: TJ.navigationMs })) ?? '').trim();
    });
  }

  /** Every row of the ads table, at 100 a page, every page. */
  private async readTable(campaignId: string): Promise<TableRow[]> {
    const what = `the ads table of campaign ${campaignId}`;
    return this.step(
      `read the ads of campaign ${campaignId}`,
      `${c.lengthSelect} and the rows (${c.adRows}) of ${what}`,
      async () => {
        await this.showHundred(what);
        const rows: TableRow[] = [];
        for (let page = 1; page <= TJ.maxPages; page += 1) {
          rows.push(...(await this.rowsOnScreen()));
          this.deps.onPageRead();
          if (!(await this.tj.nextPage(AD_ROWS, what))) break;
        }
        return rows;
      },
    );
  }

  /** The table rows on screen, each as its cells read (an empty table's row left out). */
  private async rowsOnScreen(): Promise<TableRow[]> {
    return this.tj.page
      .locator(c.adRows)
      .evaluateAll(
        (nodes, empty) =>
          nodes
            .filter((node) => node.getClientRects().length > 0 && !node.matches(`:has(${empty})`))
            .map((node) => [...node.querySelectorAll('td')].map((cell) => cell.textContent?.trim() ?? '')),
        TJ_HINTS.emptyRow,
      );
  }

  /**
   * The table's length control at 100: the select, which the contract names, even when a select2
   * widget hides it (the page's table listens to the select's change either way).
   */
  private async showHundred(what: string): Promise<void> {
    const select = this.tj.page.locator(c.lengthSelect).first();
    if ((await select.count()) === 0 || (await select.inputValue()) === '100') return;
    await this.tj.changeListing(async () => void (await select.selectOption('100', { force: true })), AD_ROWS, what);
  }

  /** Opens "Mass create with CSV", hands it the rows as a file, and asks for the preview; `reload` first for a page with no message of an earlier try. */
  private async preview(
    campaignId: string,
    header: readonly string[],
    rows: readonly AdRow[],
    reload: boolean,
  ): Promise<Preview> {
    const file = this.deps.layout.campaignUploadFile(campaignId);
    await this.deps.storage.ensureDir(this.deps.layout.tmp);
    await this.deps.storage.writeScratchFile(file, Buffer.from(renderCampaignRows(header, rows)));
    try {
      if (reload) await this.open(campaignId);
      const page = this.tj.page;
      return await this.step(
        `preview the CSV for campaign ${campaignId}`,
        `${c.previewModal}, "${c.issuesText}" or an error`,
        async () => {
          await this.tj.click(await this.shownText(c.massCreateText));
          await page.locator(c.csvInput).first().setInputFiles(file);
          await this.tj.click(await this.shownText(c.csvPreviewText));
          await page
            .locator(`${c.previewModal}:visible, ${errorAlert}:visible, :text("${c.issuesText}")`)
            .first()
            .waitFor({ timeout: TJ.navigationMs });
          if ((await page.getByText(c.issuesText).count()) > 0) {
            // The ids are read from TJ's message alone (the table below may hold the same creatives in older ads).
            const message = page.locator(`${errorAlert}:has-text("${c.invalidText}")`);
            const text =
              (await message.count()) > 0
                ? await message.first().innerText()
                : await page.locator(`:text("${c.invalidText}") >> xpath=..`).first().innerText();
            const sentIds = new Set(rows.flatMap((row) => Object.values(row)));
            const listed = text.slice(Math.max(0, text.indexOf(c.invalidText)));
            return {
              kind: 'invalid',
              ids: [...new Set(listed.match(/\d+/g) ?? [])].filter((id) => sentIds.has(id)),
              text: text.replace(/\s+/g, ' ').trim(),
            };
          }
          if ((await page.locator(`${c.previewModal}:visible`).count()) > 0) return { kind: 'ready' };
          return { kind: 'error', text: (await page.locator(`${errorAlert}:visible`).first().innerText()).trim() };
        },
      );
    } finally {
      await this.deps.storage.remove(file);
    }
  }

  /** Confirms the preview and waits for the table to reload (or to stay as it was); returns the error TJ showed, if any. */
  private async confirm(campaignId: string): Promise<string | undefined> {
    return this.step(
      `create the ads of campaign ${campaignId}`,
      `${c.confirm.join(' | ')}, then the ads table`,
      async () => {
        const confirm =
          (await this.tj.firstShown(c.confirm.map((button) => `${c.previewModal} ${button}`))) ??
          (await this.tj.firstShown(c.confirm));
        if (!confirm) throw new Error(`no ${c.confirm.join(' or ')} is on screen`);
        await this.tj.changeListing(() => this.tj.click(confirm), AD_ROWS, `the ads table of campaign ${campaignId}`);
        const alert = await this.tj.firstShown([errorAlert]);
        return alert ? (await alert.innerText()).trim() || 'TJ showed an error while creating the ads' : undefined;
      },
    );
  }

  /** A step on the campaign's page, whose ready texts say it is signed in when a failure has the session checked again. */
  private step<T>(name: string, waitsFor: string, work: () => Promise<T>): Promise<T> {
    return this.tj.step(name, waitsFor, work, { pageTexts: c.readyText });
  }

  /** The button (or link) on screen that says `text`. */
  private async shownText(text: string): Promise<Locator> {
    const found = await this.tj.byText(text);
    if (!found) throw new Error(`nothing on screen says "${text}"`);
    return found;
  }
}

/** Whether the table shows this ad: a cell holding its name. */
function shownByName(row: AdRow, table: readonly TableRow[]): boolean {
  const name = nameOf(row);
  return table.some((cells) => cells.includes(name));
}

/** Whether a row new since `before` holds all of this ad's creative ids (for a table that shows ids but not names). */
function shownAsNewRow(row: AdRow, ads: AdsRequest, table: readonly TableRow[], before: readonly TableRow[]): boolean {
  const ids = creativeIdsOf(row, ads.kind);
  if (ids.length === 0) return false;
  const old = new Set(before.map((cells) => cells.join('\u0001')));
  return table.some(
    (cells) =>
      !old.has(cells.join('\u0001')) && ids.every((id) => cells.some((cell) => cell.split(/[\s,;]+/).includes(id))),
  );
}

function nameOf(row: AdRow): string {
  return row['Ad Name'] ?? '';
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
