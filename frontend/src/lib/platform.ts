/** Where we run: iOS Safari outside the home screen needs "Add to Home Screen" guidance. */

export interface NavigatorLike {
  userAgent: string;
  platform?: string;
  maxTouchPoints?: number;
  standalone?: boolean;
}

export function isIos(nav: NavigatorLike): boolean {
  if (/iPhone|iPad|iPod/i.test(nav.userAgent)) return true;
  // iPadOS 13+ presents itself as a Mac with touch.
  return nav.platform === "MacIntel" && (nav.maxTouchPoints ?? 0) > 1;
}

/** Safari itself, not Chrome/Firefox/Edge for iOS or an in-app browser (they cannot install). */
export function isIosSafari(nav: NavigatorLike): boolean {
  if (!isIos(nav)) return false;
  const ua = nav.userAgent;
  return /Safari/i.test(ua) && !/CriOS|FxiOS|EdgiOS|OPiOS|GSA|FBAN|FBAV|Instagram/i.test(ua);
}

export function isStandalone(nav: NavigatorLike, displayModeStandalone: boolean): boolean {
  return nav.standalone === true || displayModeStandalone;
}

export function needsIosInstallHint(nav: NavigatorLike, displayModeStandalone: boolean): boolean {
  return isIos(nav) && !isStandalone(nav, displayModeStandalone);
}

export function currentNeedsIosInstallHint(): boolean {
  if (typeof navigator === "undefined") return false;
  const standalone = typeof matchMedia === "function" && matchMedia("(display-mode: standalone)").matches;
  return needsIosInstallHint(navigator as unknown as NavigatorLike, standalone);
}
