import { memo, useMemo } from 'react';
import { encode } from 'uqr';

interface Props {
  value: string;
  label: string;
  testId: string;
}

/** A QR code drawn as one SVG path (dark modules only), with a quiet zone of four modules. */
export const QrCode = memo(function QrCode({ value, label, testId }: Props) {
  const { size, path } = useMemo(() => {
    const qr = encode(value, { ecc: 'M', border: 4 });
    let d = '';
    qr.data.forEach((row, y) => {
      row.forEach((dark, x) => {
        if (dark) d += `M${x} ${y}h1v1h-1z`;
      });
    });
    return { size: qr.size, path: d };
  }, [value]);
  return (
    <svg
      className="qr-code"
      data-testid={testId}
      data-value={value}
      viewBox={`0 0 ${size} ${size}`}
      role="img"
      aria-label={label}
      shapeRendering="crispEdges"
    >
      <rect width={size} height={size} fill="#fff" />
      <path d={path} fill="#000" />
    </svg>
  );
});
