/**
 * The why-view: the saliency map laid over the 28x28 preview. Red where more
 * ink would make the digit read more likely, blue where ink counts against
 * it; the stronger the colour, the larger the effect.
 */

const FOR = [239, 68, 68];
const AGAINST = [59, 130, 246];
// Opacity grows with |value| up to this, so the ink still shows through.
const MAX_OPACITY = 0.85;

const toggle = document.getElementById('why');
const overlay = document.getElementById('saliency');
const legend = document.getElementById('why-legend');

/** Is the why-view switched on? */
export function wantsWhy() {
  return toggle.checked;
}

/** Call `handler` when the why-view is switched on or off. */
export function onWhyToggle(handler) {
  toggle.addEventListener('change', () => {
    overlay.hidden = !toggle.checked;
    legend.hidden = !toggle.checked;
    handler(toggle.checked);
  });
}

/** Draw `saliency` (28 rows of 28 numbers in [-1, 1]), or nothing. */
export function showSaliency(saliency) {
  const context = overlay.getContext('2d');
  const pixels = context.createImageData(overlay.width, overlay.height);
  if (saliency) {
    saliency.flat().forEach((value, i) => {
      const opacity = Math.min(Math.abs(value), 1) * MAX_OPACITY;
      pixels.data.set([...(value > 0 ? FOR : AGAINST),
        Math.round(opacity * 255)], 4 * i);
    });
  }
  context.putImageData(pixels, 0, 0);
}
