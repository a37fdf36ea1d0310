/** The speaker button young children tap to hear a screen, a question or a picture's word. */

import type { JSX } from "preact";
import { readAloud, screenWords } from "../lib/readAloud";

export function ReadAloud(props: {
  /** The words to say, or null to say the whole screen this button sits on. */
  text: string | null;
  /** What a screen reader announces for the button, e.g. "Hear: Sad". */
  label: string;
  testid: string;
  big?: boolean;
}): JSX.Element {
  const say = (event: MouseEvent): void => {
    const screen = (event.currentTarget as HTMLElement).closest("main");
    readAloud(props.text ?? (screen ? screenWords(screen) : ""));
  };
  return (
    <button
      type="button"
      class={props.big ? "read-aloud read-aloud-big" : "read-aloud"}
      aria-label={props.label}
      title={props.label}
      data-read-aloud-skip=""
      data-testid={props.testid}
      onClick={say}
    >
      {/* A drawn speaker, not an emoji: it looks the same on every phone, with or without emoji fonts. */}
      <svg viewBox="0 0 24 24" width="28" height="28" aria-hidden="true" focusable="false">
        <path fill="currentColor" d="M3 9v6h4l5 5V4L7 9H3zm13.5 3A4.5 4.5 0 0 0 14 8v8a4.5 4.5 0 0 0 2.5-4zM14 3.2v2.1a7 7 0 0 1 0 13.4v2.1a9 9 0 0 0 0-17.6z" />
      </svg>
    </button>
  );
}
