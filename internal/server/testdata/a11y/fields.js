// What axe-core does not check on the page's text fields (internal/server/a11y_test.go):
// placeholders at 4.5:1 against the field (WCAG 1.4.3), and the field's border at 3:1
// against what surrounds it (1.4.11). window.__fields() lists the failures.
"use strict";
window.__fields = () => {
  const rgb = (c) => c.match(/[\d.]+/g).slice(0, 3).map(Number);
  const luminance = (c) => {
    const [r, g, b] = rgb(c).map((v) => { v /= 255; return v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4; });
    return 0.2126 * r + 0.7152 * g + 0.0722 * b;
  };
  const ratio = (a, b) => { const [x, y] = [luminance(a), luminance(b)].sort((p, q) => q - p); return (x + 0.05) / (y + 0.05); };
  // The first opaque background at or above el.
  const background = (el) => {
    for (; el; el = el.parentElement) {
      const c = getComputedStyle(el).backgroundColor;
      if (!/^rgba\(.*,\s*0\)$/.test(c) && c !== "transparent") return c;
    }
    return "rgb(255, 255, 255)";
  };
  const failures = [];
  for (const el of document.querySelectorAll("input[type=text], input[type=number]")) {
    if (!el.checkVisibility()) continue;
    const s = getComputedStyle(el), bg = background(el), around = background(el.parentElement);
    const border = ratio(s.borderTopColor, around);
    if (border < 3) failures.push(`#${el.id}: border ${s.borderTopColor} on ${around} is ${border.toFixed(2)}:1, under 3:1`);
    if (el.placeholder) {
      const p = ratio(getComputedStyle(el, "::placeholder").color, bg);
      if (p < 4.5) failures.push(`#${el.id}: placeholder on ${bg} is ${p.toFixed(2)}:1, under 4.5:1`);
    }
  }
  return failures;
};
