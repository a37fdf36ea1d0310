/**
 * Quick exit from the safety screen: replace (not push) the current history entry with a blank
 * "Notes" page and reload into it, so Back does not return to the help screen and nothing of
 * the app's state stays in memory. Works offline (the service worker serves index.html).
 */

export const NOTES_URL = "/?notes#/notes";

export function quickExit(loc: Pick<Location, "replace"> = location, hist: Pick<History, "replaceState"> = history): void {
  try {
    sessionStorage.clear();
  } catch {
    // Private mode: nothing to clear.
  }
  try {
    // Drop any state kept on this entry; the URL is swapped by replace() below, which (because the
    // path and query differ) loads a fresh document instead of a same-page hash change.
    hist.replaceState(null, "");
  } catch {
    // Still leave below.
  }
  loc.replace(NOTES_URL);
}
