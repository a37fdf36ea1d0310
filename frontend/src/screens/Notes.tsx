/** The neutral page quick exit lands on: a plain notepad, nothing about families or feelings. */

import type { JSX } from "preact";
import { useEffect, useRef, useState } from "preact/hooks";

export function Notes(): JSX.Element {
  const [text, setText] = useState("");
  const heading = useRef<HTMLHeadingElement>(null);
  useEffect(() => {
    document.title = "Notes";
    heading.current?.focus();
  }, []);
  return (
    <main id="main" class="screen notes" data-testid="screen-notes">
      <h1 tabIndex={-1} ref={heading}>
        Notes
      </h1>
      <label for="notes-text" class="visually-hidden">
        Note
      </label>
      <textarea id="notes-text" rows={16} value={text} onInput={(e) => setText((e.currentTarget as HTMLTextAreaElement).value)} />
    </main>
  );
}
