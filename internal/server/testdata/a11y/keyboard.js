// The keyboard checks' helpers (internal/server/a11y_test.go), evaluated through CDP's
// Runtime.evaluate like axe-core, so the page's CSP does not apply. They define
// window.__kbd: names for the focused controls, the controls a keyboard user must reach
// in document order, and each one's focus indicator.
"use strict";
window.__kbd = (() => {
  // A control's name in the tests' lists: #id, or its tag and text.
  const name = (el) => {
    if (!el || el === document.body || el === document.documentElement) return "body";
    if (el.id) return "#" + el.id;
    const text = (el.getAttribute("aria-label") || el.textContent).trim().replace(/\s+/g, " ");
    return el.tagName.toLowerCase() + ' "' + text + '"';
  };

  const rendered = (el) => {
    const r = el.getBoundingClientRect();
    return r.width > 0 && r.height > 0 && el.checkVisibility({ visibilityProperty: true });
  };

  // Where a control shows its focus: itself, or, for an input drawn as its label
  // (the eye button is a visually hidden checkbox), the label that is drawn.
  const indicator = (el) => {
    const r = el.getBoundingClientRect();
    const hidden = r.width <= 1 || r.height <= 1 || getComputedStyle(el).opacity === "0";
    if (hidden && el.labels) {
      const label = Array.from(el.labels).find(rendered);
      if (label) return label;
    }
    return el;
  };

  // Whether a control is drawn at all: a visually hidden input counts through its label.
  const shown = (el) => rendered(indicator(el)) || (el.labels && Array.from(el.labels).some(rendered));

  const selector = "a[href], button, input, select, textarea, summary, [tabindex], [contenteditable], " +
    "[role=button], [role=link], [role=checkbox], [role=radio], [role=tab], [role=menuitem], [role=switch], [role=textbox]";

  // The controls a keyboard user must reach with Tab, in document order: every
  // rendered, enabled native control (whatever its tabindex), a details element's own
  // summary, one stop per radio group (the checked one), and every element with a
  // widget role or a tabindex of 0 or more.
  const controls = () => {
    const seen = new Set();
    return Array.from(document.querySelectorAll(selector)).filter((el) => {
      if (el.disabled || (el.type === "hidden" && el.tagName === "INPUT") || !shown(el)) return false;
      if (el.tagName === "SUMMARY" && el.parentElement.querySelector(":scope > summary") !== el) return false;
      if (el.tagName === "INPUT" && el.type === "radio" && el.name) {
        const group = Array.from(document.querySelectorAll("input[type=radio]")).filter((r) => r.name === el.name && r.form === el.form);
        const stop = group.find((r) => r.checked) || group[0];
        if (stop !== el || seen.has(el.name)) return false;
        seen.add(el.name);
      }
      const native = el.matches("a[href], button, input, select, textarea, summary");
      return native || !el.hasAttribute("tabindex") || el.tabIndex >= 0;
    });
  };

  const ring = (el) => {
    const s = getComputedStyle(indicator(el));
    const outline = s.outlineStyle !== "none" && parseFloat(s.outlineWidth) > 0 ? `${s.outlineStyle} ${s.outlineWidth} ${s.outlineColor}` : "none";
    return { outline, shadow: s.boxShadow };
  };

  const before = new Map(), visited = new Set();
  return {
    name,
    controls: () => controls().map(name),
    // snapshot records every control's unfocused look, to compare the focused look with.
    snapshot: () => {
      const active = document.activeElement;
      if (active && active !== document.body) active.blur();
      for (const el of controls()) before.set(el, ring(el));
      visited.clear();
    },
    // focused describes the focused control: its name, whether Tab focused it before
    // (since the snapshot), whether it matches
    // :focus-visible, its focus ring against its unfocused look, and where it is drawn.
    focused: () => {
      const el = document.activeElement;
      if (!el || el === document.body) return { name: "body" };
      const now = ring(el), was = before.get(el) || { outline: "none", shadow: "none" };
      const r = indicator(el).getBoundingClientRect();
      const again = visited.has(el);
      visited.add(el);
      return {
        again,
        name: name(el), focusVisible: el.matches(":focus-visible"),
        ring: now.outline !== "none" ? "outline " + now.outline : now.shadow !== "none" ? "box-shadow " + now.shadow : "",
        changed: now.outline !== was.outline || now.shadow !== was.shadow,
        top: r.top + scrollY, bottom: r.bottom + scrollY, left: r.left + scrollX, right: r.right + scrollX,
      };
    },
    // start makes the top of the page the place Tab moves on from, as on a fresh load:
    // an empty span that only a script can focus, removed by the first Tab's blur.
    start: () => {
      const span = document.createElement("span");
      span.tabIndex = -1;
      span.addEventListener("blur", () => span.remove(), { once: true });
      document.body.prepend(span);
      span.focus();
    },
  };
})();
