/**
 * The 28x28 image the model was given, drawn 1:1 into a 28x28 canvas that
 * CSS enlarges with `image-rendering: pixelated`.
 */

/** Draw `image` (28 rows of 28 numbers in [0, 1], white ink) or black. */
export function showImage(canvas, image) {
  const context = canvas.getContext('2d');
  const pixels = context.createImageData(canvas.width, canvas.height);
  if (image) {
    image.flat().forEach((value, i) => {
      const level = Math.round(Math.min(Math.max(value, 0), 1) * 255);
      pixels.data.set([level, level, level], 4 * i);
    });
  }
  for (let i = 3; i < pixels.data.length; i += 4) pixels.data[i] = 255;
  context.putImageData(pixels, 0, 0);
}
