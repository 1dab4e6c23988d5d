/**
 * Number mode: the digits read, each with a box over the drawing and a
 * compact chart of its ten probabilities.
 */

// Boxes reach past the points by half the pen (ink.js) plus a gap, as a
// share of the pad's height.
const BOX_MARGIN = 0.05;
// Share of the pad's height a label needs above a box.
const LABEL_ROOM = 0.1;

const numberOutput = document.getElementById('number');
const digitsList = document.getElementById('number-digits');
const boxesLayer = document.getElementById('boxes');

/**
 * Show an answer of POST /predict/number for a pad of `width` x `height`
 * CSS px, the size the strokes were sent in.
 */
export function showNumber(result, width, height) {
  numberOutput.textContent = result.number;
  digitsList.replaceChildren(...result.digits.map(digitItem));
  boxesLayer.replaceChildren(
    ...result.digits.map((d) => digitBox(d, width, height)));
}

export function clearNumber() {
  numberOutput.textContent = '';
  digitsList.replaceChildren();
  boxesLayer.replaceChildren();
}

/** The note under the number: how sure, and of which digits not. */
export function describeNumber({ digits }) {
  const unsure = digits
    .map((digit, i) => ({ ...digit, position: i + 1 }))
    .filter((digit) => digit.uncertain);
  if (unsure.length === 0) {
    const least = Math.min(...digits.map((d) => d.confidence));
    const count = digits.length === 1 ? 'One digit' : `${digits.length} digits`;
    return `${count}, each at least ${Math.floor(least * 100)}% sure`;
  }
  return 'Not sure: ' + unsure.map((digit) =>
    `digit ${digit.position} looks like ${either(digit)}`).join('; ');
}

function either({ digit, alternatives }) {
  const named = (alternatives?.length ? alternatives : [digit])
    .map((d) => `${d === 8 ? 'an' : 'a'} ${d}`);
  const last = named.pop();
  return named.length > 0 ? `${named.join(', ')} or ${last}` : last;
}

function digitItem(digit, index) {
  const item = document.createElement('li');
  item.className = 'number-digit';
  item.dataset.uncertain = String(digit.uncertain);
  const heading = document.createElement('span');
  heading.className = 'number-digit-read';
  heading.textContent = String(digit.digit);
  const sure = document.createElement('span');
  sure.className = 'number-digit-note';
  sure.textContent = digit.uncertain
    ? `${(digit.alternatives ?? [digit.digit]).join(' or ')}?`
    : `${Math.round(digit.confidence * 100)}%`;
  const spoken = document.createElement('span');
  spoken.className = 'visually-hidden';
  spoken.textContent = `Digit ${index + 1}: ` + topProbabilities(digit);
  item.append(heading, sure, miniBars(digit), spoken);
  return item;
}

/** Ten thin bars with the digits under them; the top one marked. */
function miniBars({ probabilities, digit }) {
  const chart = document.createElement('span');
  chart.className = 'mini-bars';
  chart.setAttribute('aria-hidden', 'true');
  probabilities.forEach((probability, d) => {
    const bar = document.createElement('span');
    bar.className = d === digit ? 'mini-bar top' : 'mini-bar';
    bar.style.setProperty('--p', String(probability));
    bar.dataset.digit = String(d);
    chart.append(bar);
  });
  return chart;
}

function topProbabilities({ probabilities }) {
  return probabilities
    .map((probability, d) => ({ probability, d }))
    .filter(({ probability }) => probability >= 0.01)
    .sort((a, b) => b.probability - a.probability)
    .map(({ probability, d }) => `${d} ${Math.round(probability * 100)}%`)
    .join(', ');
}

/** A box in % of the pad, so it follows the pad when the page resizes. */
function digitBox(digit, width, height) {
  const [x0, y0, x1, y1] = digit.box;
  const margin = BOX_MARGIN * height;
  const box = document.createElement('div');
  box.className = 'digit-box';
  box.dataset.testid = 'digit-box';
  box.dataset.uncertain = String(digit.uncertain);
  const left = Math.max(x0 - margin, 0);
  const top = Math.max(y0 - margin, 0);
  const right = Math.min(x1 + margin, width);
  const bottom = Math.min(y1 + margin, height);
  Object.assign(box.style, {
    left: `${(100 * left) / width}%`,
    top: `${(100 * top) / height}%`,
    width: `${(100 * (right - left)) / width}%`,
    height: `${(100 * (bottom - top)) / height}%`,
  });
  const label = document.createElement('span');
  label.textContent = digit.uncertain ? `${digit.digit}?` : String(digit.digit);
  // Above the box, off the ink; below it when the box starts at the top.
  label.className = top < LABEL_ROOM * height ? 'below' : 'above';
  box.append(label);
  return box;
}
