/** A QR code drawn as SVG from the encoder's matrix (no inline styles); the encoder loads lazily. */

import type { JSX } from "preact";
import { useEffect, useState } from "preact/hooks";
import { t } from "../lib/i18n";

export function qrPath(matrix: readonly (readonly boolean[])[]): string {
  let d = "";
  matrix.forEach((row, y) => {
    row.forEach((dark, x) => {
      if (dark) d += `M${x} ${y}h1v1h-1z`;
    });
  });
  return d;
}

export function QrCode(props: { value: string; label: string; testid?: string }): JSX.Element {
  const [matrix, setMatrix] = useState<boolean[][] | null>(null);
  const [failed, setFailed] = useState(false);
  useEffect(() => {
    let live = true;
    setMatrix(null);
    import("uqr")
      .then(({ encode }) => {
        if (live) setMatrix(encode(props.value, { ecc: "M", border: 2 }).data);
      })
      .catch(() => live && setFailed(true));
    return () => {
      live = false;
    };
  }, [props.value]);
  if (failed) return <p class="hint">{t("qr.failed")}</p>;
  if (!matrix) return <div class="qr qr-placeholder" aria-hidden="true" />;
  const size = matrix.length;
  return (
    <svg
      class="qr"
      viewBox={`0 0 ${size} ${size}`}
      role="img"
      aria-label={props.label}
      data-testid={props.testid ?? "qr-code"}
      shape-rendering="crispEdges"
    >
      <rect width={size} height={size} fill="#ffffff" />
      <path d={qrPath(matrix)} fill="#000000" />
    </svg>
  );
}
