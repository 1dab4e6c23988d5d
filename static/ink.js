/**
 * The pad's bitmap: sized to the device pixels, so lines stay sharp, and
 * painted with strokes kept in CSS px.
 */

// Pen width as a share of the pad's side: a digit drawn across most of the
// pad then looks about as bold as an MNIST digit.
const PEN_SHARE = 0.06;
const INK = '#111827';

/**
 * Paint `strokes` afresh on a pad of `width` x `height` CSS px, first sizing
 * the bitmap to one pixel per device pixel.
 */
export function paint(canvas, strokes, width, height) {
  fitBitmap(canvas, width, height);
  const context = canvas.getContext('2d');
  context.setTransform(1, 0, 0, 1, 0, 0);
  context.clearRect(0, 0, canvas.width, canvas.height);
  if (width === 0 || height === 0) return;
  // Paint in CSS px; the transform maps them onto the bitmap.
  context.setTransform(canvas.width / width, 0, 0, canvas.height / height,
    0, 0);
  context.lineWidth = PEN_SHARE * Math.min(width, height);
  context.lineCap = 'round';
  context.lineJoin = 'round';
  context.strokeStyle = INK;
  context.fillStyle = INK;
  for (const stroke of strokes) {
    if (stroke.length === 1) paintDot(context, stroke[0]);
    context.beginPath();
    context.moveTo(...stroke[0]);
    for (const point of stroke.slice(1)) context.lineTo(...point);
    context.stroke();
  }
}

function fitBitmap(canvas, width, height) {
  // NOTE: not ResizeObserver's device-pixel-content-box: under an emulated
  // device scale factor (Playwright, DevTools) it reports CSS pixels.
  const ratio = window.devicePixelRatio || 1;
  const bitmapWidth = Math.round(width * ratio);
  const bitmapHeight = Math.round(height * ratio);
  // Setting a size, even the same one, clears the bitmap and its context.
  if (canvas.width !== bitmapWidth) canvas.width = bitmapWidth;
  if (canvas.height !== bitmapHeight) canvas.height = bitmapHeight;
}

/** A round dot: what a tap leaves. */
function paintDot(context, [x, y]) {
  context.beginPath();
  context.arc(x, y, context.lineWidth / 2, 0, 2 * Math.PI);
  context.fill();
}
