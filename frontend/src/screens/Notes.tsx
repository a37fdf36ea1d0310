/** The neutral page quick exit lands on: a plain notepad, nothing about families or feelings. */

import type { JSX } from "preact";
import { useEffect, useRef, useState } from "preact/hooks";
import { t } from "../lib/i18n";

export function Notes(): JSX.Element {
  const [text, setText] = useState("");
  const heading = useRef<HTMLHeadingElement>(null);
  useEffect(() => {
    document.title = t("notes.title");
    heading.current?.focus();
  }, []);
  return (
    <main id="main" class="screen notes" data-testid="screen-notes">
      <h1 tabIndex={-1} ref={heading}>
        {t("notes.title")}
      </h1>
      <label for="notes-text" class="visually-hidden">
        {t("notes.note")}
      </label>
      <textarea id="notes-text" rows={16} value={text} onInput={(e) => setText((e.currentTarget as HTMLTextAreaElement).value)} />
    </main>
  );
}
