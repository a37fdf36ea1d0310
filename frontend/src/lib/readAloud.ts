/**
 * Speech for children under 8 (`young_child` from the server): a tap reads a screen, a question or
 * a picture's word aloud in the user's language, so a child who cannot read yet can still flag.
 */

/** Say `text` in the page's language (the user's locale sets `<html lang>`); false without speech. */
export function readAloud(text: string): boolean {
  const synth = typeof window === "undefined" ? undefined : window.speechSynthesis;
  if (!synth || typeof SpeechSynthesisUtterance === "undefined" || !text.trim()) return false;
  synth.cancel(); // a second tap starts again rather than queueing behind the first
  const utterance = new SpeechSynthesisUtterance(text);
  utterance.lang = document.documentElement.lang || navigator.language || "en";
  utterance.rate = 0.9;
  synth.speak(utterance);
  return true;
}

/** The elements whose words a screen is made of, in reading order. */
const READABLE = "h1, h2, h3, p, legend, label, button, a, li > span";

/**
 * What a screen says: its headings, text, and the words on its buttons and links, one sentence
 * each. Read-aloud controls themselves and pictures (`aria-hidden`) are left out.
 */
export function screenWords(root: Element): string {
  const parts: string[] = [];
  for (const el of Array.from(root.querySelectorAll(READABLE))) {
    if (el.closest("[data-read-aloud-skip], [aria-hidden='true']")) continue;
    // An element inside another readable one (a label's span) is read with its parent.
    if (el.parentElement?.closest(READABLE) && root.contains(el.parentElement.closest(READABLE))) continue;
    const words = wordsOf(el);
    if (words) parts.push(words);
  }
  return parts.join(". ").replace(/\.\s*\./g, ".");
}

function wordsOf(el: Element): string {
  let out = "";
  el.childNodes.forEach((node) => {
    if (node.nodeType === Node.TEXT_NODE) out += node.textContent ?? "";
    else if (node instanceof Element && node.getAttribute("aria-hidden") !== "true" && !node.hasAttribute("data-read-aloud-skip")) {
      out += wordsOf(node);
    }
  });
  return out.replace(/\s+/g, " ").trim();
}
