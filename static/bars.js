/** The bar chart of the ten digit probabilities, an <ol> of ten items. */

export function createBars(list) {
  for (let digit = 0; digit < 10; digit += 1) {
    const item = document.createElement('li');
    item.dataset.digit = String(digit);
    item.innerHTML = `
      <span class="bar-digit">${digit}</span>
      <span class="bar-track"><span class="bar-fill"></span></span>
      <span class="bar-value"><span class="bar-number"></span><span
        class="visually-hidden">%</span></span>
      <span class="visually-hidden bar-top"></span>`;
    list.append(item);
  }
}

/**
 * Show `probabilities` (ten numbers, or null for none) as whole percents,
 * marking `top` (a digit or null).
 */
export function showBars(list, probabilities, top) {
  for (const item of list.children) {
    const digit = Number(item.dataset.digit);
    const probability = probabilities ? probabilities[digit] : 0;
    const isTop = digit === top;
    item.classList.toggle('top', isTop);
    item.querySelector('.bar-fill').style.transform =
      `scaleY(${probability})`;
    item.querySelector('.bar-number').textContent =
      probabilities ? percent(probability) : '';
    item.querySelector('.bar-top').textContent = isTop ? ', most likely' : '';
  }
}

function percent(probability) {
  if (probability > 0 && probability < 0.005) return '<1';
  return String(Math.round(probability * 100));
}
