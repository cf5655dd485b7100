package server_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"

	"github.com/giropops/giropops-senhas/internal/server"
	"github.com/giropops/giropops-senhas/internal/testenv"
)

// The accessibility checks of the browser tests (docs/a11y.md): axe-core's WCAG 2.1 A
// and AA rules, and the keyboard's focus order and focus ring. Each check is a
// function that returns an error, so that the tests can show it failing on the pages
// under testdata/a11y/pages.

// a11yDir holds axe-core's package.json and lockfile; make deps runs npm ci there.
const a11yDir = "testdata/a11y"

// wcag21AA are the axe-core tags of WCAG 2.1 levels A and AA.
var wcag21AA = []string{"wcag2a", "wcag2aa", "wcag21a", "wcag21aa"}

// a11yScripts are what the checks evaluate in the page: axe-core's source (as npm ci
// installed it) and this package's own helpers.
type a11yScripts struct{ axe, keyboard, fields string }

// loadA11yScripts reads them, or ends the test when axe-core is not installed.
func loadA11yScripts(t *testing.T) a11yScripts {
	t.Helper()
	var s a11yScripts
	for _, f := range []struct {
		to   *string
		path string
	}{
		{&s.axe, filepath.Join("node_modules", "axe-core", "axe.min.js")},
		{&s.keyboard, "keyboard.js"},
		{&s.fields, "fields.js"},
	} {
		b, err := os.ReadFile(filepath.Join(a11yDir, f.path))
		if errors.Is(err, os.ErrNotExist) && f.to == &s.axe {
			testenv.Missing(t, "axe-core is not installed: run make deps (npm ci in internal/server/%s)", a11yDir)
		}
		if err != nil {
			t.Fatal(err)
		}
		*f.to = string(b)
	}
	return s
}

// inject evaluates script in the page unless global is already defined there. CDP's
// Runtime.evaluate runs it as the debugger, outside the page's CSP (script-src 'self'),
// which TestA11yAuditBypassesCSP shows.
func inject(ctx context.Context, global, script string) error {
	defined, err := chromedp.Run(ctx, chromedp.Evaluate[bool]("typeof window."+global+" !== 'undefined'"))
	if err != nil || defined {
		return err
	}
	_, err = chromedp.Run(ctx, chromedp.Evaluate[chromedp.Void](script))
	return err
}

// violation is the part of an axe-core result the error message shows.
type violation struct {
	ID, Impact, Help string
	Nodes            []struct {
		Target         []any
		FailureSummary string
	}
}

// audit runs axe-core's WCAG 2.1 A and AA rules on the page as it is now, and
// fields.js's contrast checks of the text fields, which axe-core leaves out: an error
// lists each violation and the elements it found.
func audit(ctx context.Context, s a11yScripts) error {
	if err := inject(ctx, "__fields", s.fields); err != nil {
		return fmt.Errorf("inject fields.js: %w", err)
	}
	fields, err := chromedp.Run(ctx, chromedp.Evaluate[[]string](`__fields()`))
	if err != nil {
		return fmt.Errorf("fields.js: %w", err)
	}
	var errs []error
	if len(fields) > 0 {
		errs = append(errs, fmt.Errorf("text fields under WCAG 2.1 AA contrast:\n\t%s", strings.Join(fields, "\n\t")))
	}
	if err := inject(ctx, "axe", s.axe); err != nil {
		return fmt.Errorf("inject axe-core: %w", err)
	}
	tags, _ := json.Marshal(wcag21AA)
	js := `axe.run(document, {runOnly: {type: "tag", values: ` + string(tags) + `}, resultTypes: ["violations"]}).then(r => r.violations)`
	vs, err := chromedp.Run(ctx, chromedp.Evaluate[[]violation](js, chromedp.EvalAwaitPromise))
	if err != nil {
		return fmt.Errorf("axe.run: %w", err)
	}
	if len(vs) == 0 {
		return errors.Join(errs...)
	}
	var b strings.Builder
	for _, v := range vs {
		fmt.Fprintf(&b, "\n%s (%s): %s", v.ID, v.Impact, v.Help)
		for _, n := range v.Nodes {
			fmt.Fprintf(&b, "\n\t%v: %s", n.Target, strings.ReplaceAll(n.FailureSummary, "\n", " "))
		}
	}
	return errors.Join(append(errs, fmt.Errorf("axe-core found %d WCAG 2.1 AA violations:%s", len(vs), b.String()))...)
}

// stop is a control that Tab focused, as keyboard.js describes it.
type stop struct {
	Name                     string
	FocusVisible, Changed    bool
	Again                    bool // focused before: Tab came round
	Ring                     string
	Top, Bottom, Left, Right float64
}

// tabThrough presses Tab from the top of the page until focus leaves the page or
// comes back to a control it visited, and returns the controls in the order Tab
// focused them. It checks that the sequence is the page's controls in document order
// (none unreachable, none skipped: keyboard.js's controls), that each next control is
// below or, on the same row, to the right of the one before (the visual order), and
// that each one shows a visible focus ring (:focus-visible, with an outline or a box
// shadow it lacks unfocused).
func tabThrough(ctx context.Context, keyboard string) ([]string, error) {
	if err := inject(ctx, "__kbd", keyboard); err != nil {
		return nil, fmt.Errorf("inject keyboard.js: %w", err)
	}
	want, err := chromedp.Run(ctx, chromedp.Evaluate[[]string](`__kbd.snapshot(), __kbd.start(), __kbd.controls()`))
	if err != nil {
		return nil, err
	}
	var stops []stop
	var errs []error
	for range len(want) + 2 {
		if err := chromedp.Do(ctx, chromedp.KeyEvent("\t")); err != nil {
			return nil, err
		}
		s, err := chromedp.Run(ctx, chromedp.Evaluate[stop](`__kbd.focused()`))
		if err != nil {
			return nil, err
		}
		if s.Name == "body" || s.Again {
			break
		}
		switch {
		case !s.FocusVisible:
			errs = append(errs, fmt.Errorf("%s: focused by Tab but not :focus-visible", s.Name))
		case s.Ring == "" || !s.Changed:
			errs = append(errs, fmt.Errorf("%s: no visible focus (outline and box-shadow as unfocused: %q)", s.Name, s.Ring))
		}
		if n := len(stops); n > 0 && !after(s, stops[n-1]) {
			errs = append(errs, fmt.Errorf("%s comes after %s by Tab but is drawn before it", s.Name, stops[n-1].Name))
		}
		stops = append(stops, s)
	}
	got := make([]string, len(stops))
	for i, s := range stops {
		got[i] = s.Name
	}
	if !slices.Equal(got, want) {
		missed := slices.DeleteFunc(slices.Clone(want), func(c string) bool { return slices.Contains(got, c) })
		errs = append(errs, fmt.Errorf("Tab does not reach %s; it focuses\n\t%q\nthe page's controls in document order are\n\t%q",
			strings.Join(missed, ", "), got, want))
	}
	return got, errors.Join(errs...)
}

// after reports whether s is drawn after p in reading order: below it, or on the same
// row (their boxes overlap vertically) and to its right.
func after(s, p stop) bool {
	const slack = 1 // px: rounding, and borders that touch
	if s.Top < p.Bottom-slack && s.Bottom > p.Top+slack {
		return s.Left >= p.Right-slack
	}
	return s.Top >= p.Bottom-slack
}

// press moves focus with Tab, from where it is, to the control named name (as
// keyboard.js names it), then presses key there: what a keyboard user does.
func press(t *testing.T, ctx context.Context, keyboard, name, key string) {
	t.Helper()
	if err := inject(ctx, "__kbd", keyboard); err != nil {
		t.Fatalf("inject keyboard.js: %v", err)
	}
	var path []string
	for range 40 {
		must(t, ctx, chromedp.KeyEvent("\t"))
		at := eval[string](t, ctx, `__kbd.focused().name`)
		path = append(path, at)
		if at == name {
			must(t, ctx, chromedp.KeyEvent(key))
			return
		}
	}
	t.Fatalf("Tab never reached %s: %q", name, path)
}

// The controls Tab reaches, top to bottom, in each state the page is seen in.
var (
	formStops     = []string{"#tamanho", "#incluir_numeros", "#incluir_caracteres_especiais", `summary "Opções avançadas"`}
	advancedStops = []string{"#tipo-senha", "#quantidade", "#incluir_minusculas", "#incluir_maiusculas",
		"#minimo_minusculas", "#minimo_maiusculas", "#minimo_numeros", "#minimo_especiais",
		"#evitar_ambiguos", "#caracteres_especiais", "#excluir", "#regras"}
	secretStops = func(id string) []string { return []string{"#mostrar-" + id, `button "Copiar a senha"`} }
)

// The page passes axe-core's WCAG 2.1 A and AA rules in the light and the dark color
// scheme, and Tab reaches every control in order with a visible focus ring, as it
// first loads, with Opções avançadas open, after a generation, and with the history
// shown (a password revealed). Each state is reached with the keyboard. The CSP
// subtest shows how axe-core gets past the page's CSP.
func TestA11yPage(t *testing.T) {
	scripts := loadA11yScripts(t)
	ts := newServer(t, server.ScopeSession, memoryStore())
	ctx := newBrowser(t)
	// CDP's Runtime.evaluate is not subject to the page's CSP: a script the page adds
	// itself is refused (script-src 'self'), axe-core evaluated through CDP runs.
	t.Run("CSP", func(t *testing.T) {
		must(t, ctx, chromedp.Navigate(ts.URL), chromedp.WaitVisible("#tamanho"))
		if csp := do(t, client(t), "GET", ts.URL+"/", "", "").header.Get("Content-Security-Policy"); !strings.Contains(csp, "script-src 'self'") {
			t.Fatalf("the page's CSP %q does not restrict scripts to 'self'", csp)
		}
		refused := eval[string](t, ctx, `new Promise(resolve => {
			document.addEventListener("securitypolicyviolation", e => resolve(e.violatedDirective), {once: true});
			const s = document.createElement("script");
			s.textContent = "window.inlineRan = true";
			document.head.append(s);
		})`)
		if ran := eval[bool](t, ctx, `window.inlineRan === true`); ran || !strings.HasPrefix(refused, "script-src") {
			t.Fatalf("an inline script the page adds ran (%v) or was refused by %q, not script-src", ran, refused)
		}
		if err := inject(ctx, "axe", scripts.axe); err != nil {
			t.Fatal(err)
		}
		if v := eval[string](t, ctx, `axe.version`); v == "" {
			t.Fatal("axe-core evaluated through CDP is not defined in the page")
		}
	})
	generate := func(t *testing.T) {
		press(t, ctx, scripts.keyboard, `button "Gerar"`, "\r")
		must(t, ctx, chromedp.WaitVisible(".result"))
	}
	for _, tc := range []struct {
		name  string
		setUp func(t *testing.T)
		want  []string
	}{
		{"first load", func(*testing.T) {}, slices.Concat(formStops, []string{`button "Gerar"`, `a "Atualizar"`})},
		{"advanced options open", func(t *testing.T) {
			press(t, ctx, scripts.keyboard, `summary "Opções avançadas"`, "\r")
			must(t, ctx, chromedp.WaitVisible("#regras"))
		}, slices.Concat(formStops, advancedStops, []string{`button "Gerar"`, `a "Atualizar"`})},
		{"after a generation", generate, slices.Concat(formStops, []string{`button "Gerar"`}, secretStops("nova-1"),
			[]string{`a "Atualizar"`}, secretStops("1"), []string{`button "Limpar histórico"`})},
		{"history shown", func(t *testing.T) {
			generate(t)
			must(t, ctx, chromedp.Reload(), chromedp.WaitVisible("#historico .history"))
			press(t, ctx, scripts.keyboard, "#mostrar-1", " ")
			must(t, ctx, chromedp.WaitVisible("#senha-1"))
		}, slices.Concat(formStops, []string{`button "Gerar"`, `a "Atualizar"`}, secretStops("1"), []string{`button "Limpar histórico"`})},
	} {
		t.Run(tc.name, func(t *testing.T) {
			// A new session (an empty history), the page as it first loads.
			if _, err := chromedp.Call(ctx, network.ClearBrowserCookies, cdp.Empty{}); err != nil {
				t.Fatal(err)
			}
			must(t, ctx, chromedp.EmulateViewport(375, 740), chromedp.Navigate(ts.URL), chromedp.WaitVisible("#tamanho"))
			tc.setUp(t)
			for _, scheme := range []string{"light", "dark"} {
				must(t, ctx, colorScheme(scheme))
				if err := audit(ctx, scripts); err != nil {
					t.Errorf("%s color scheme: %v", scheme, err)
				}
			}
			screenshot(t, ctx, "a11y-"+strings.ReplaceAll(tc.name, " ", "-"))
			got, err := tabThrough(ctx, scripts.keyboard)
			if err != nil {
				t.Error(err)
			}
			if !slices.Equal(got, tc.want) {
				t.Errorf("Tab focuses\n\t%q\nwant\n\t%q", got, tc.want)
			}
		})
	}
}

// A keyboard user, with Tab, Enter and Space alone, generates a password, shows it,
// copies it (the clipboard holds it, the page says so) and clears the history.
func TestA11yKeyboardOnly(t *testing.T) {
	scripts := loadA11yScripts(t)
	ts := newServer(t, server.ScopeSession, memoryStore())
	ctx := newBrowser(t)
	grantClipboardRead(t, ctx, ts.URL)
	must(t, ctx, chromedp.EmulateViewport(375, 740), chromedp.Navigate(ts.URL), chromedp.WaitVisible("#tamanho"))

	press(t, ctx, scripts.keyboard, `button "Gerar"`, "\r")
	must(t, ctx, chromedp.WaitVisible(".result"))
	shown := `getComputedStyle(document.getElementById("senha-nova-1")).display !== "none"`
	if eval[bool](t, ctx, shown) {
		t.Fatal("the new password is shown before the eye is pressed")
	}
	press(t, ctx, scripts.keyboard, "#mostrar-nova-1", " ")
	if !eval[bool](t, ctx, shown) {
		t.Fatal("Space on the eye did not show the password")
	}
	p := eval[string](t, ctx, `document.getElementById("senha-nova-1").textContent`)

	press(t, ctx, scripts.keyboard, `button "Copiar a senha"`, " ")
	must(t, ctx, chromedp.WaitVisible("#status.visible"))
	if s := eval[string](t, ctx, `document.getElementById("status").textContent`); s != "Senha copiada" {
		t.Fatalf("status %q after Space on the copy button", s)
	}
	if got := eval[string](t, ctx, `navigator.clipboard.readText()`); got != p {
		t.Fatalf("clipboard holds %q, want %q", got, p)
	}

	press(t, ctx, scripts.keyboard, `button "Limpar histórico"`, "\r")
	must(t, ctx, chromedp.WaitNotPresent("#historico form.clear"), chromedp.WaitVisible("#historico p.hint"))
	if n := eval[int](t, ctx, `document.querySelectorAll("#historico .history li").length`); n != 0 {
		t.Fatalf("%d passwords in the history after Enter on Limpar histórico", n)
	}
}

// colorScheme emulates prefers-color-scheme (headless Chromium's own default is dark).
func colorScheme(scheme string) chromedp.Action[chromedp.Void] {
	return chromedp.Func(func(ctx context.Context, _ *chromedp.Target) error {
		_, err := chromedp.Call(ctx, emulation.SetEmulatedMedia, emulation.SetEmulatedMediaParams{
			Features: []*emulation.MediaFeature{{Name: "prefers-color-scheme", Value: scheme}},
		})
		return err
	})
}

// brokenPages are copies of the page as it first loads with one defect each: each
// edit replaces old with new, once. The copies are made from the page the app serves
// when the test runs, so that they differ from it by their defect alone.
var brokenPages = []struct {
	name, check, want string
	edits             []string // old, new, ...
}{
	{"missing-label", "audit", "label (critical)",
		[]string{`<label for="incluir_numeros">Incluir números</label>`, `<span>Incluir números</span>`}},
	{"tabindex", "keyboard", "Tab does not reach #incluir_caracteres_especiais",
		[]string{`<input type="checkbox" id="incluir_caracteres_especiais"`, `<input type="checkbox" tabindex="-1" id="incluir_caracteres_especiais"`}},
	{"div-button", "keyboard", `Tab does not reach div "Gerar"`,
		[]string{`<button type="submit" class="btn primary">Gerar</button>`, `<div class="btn primary" role="button">Gerar</div>`}},
	{"no-focus-ring", "keyboard", "#tamanho: no visible focus",
		[]string{`</head>`, `<link rel="stylesheet" href="/pages/no-focus-ring.css"></head>`}},
	{"low-contrast-fields", "audit", "#minimo_numeros: placeholder on rgb(244, 245, 247) is 4.22:1",
		[]string{`</head>`, `<link rel="stylesheet" href="/pages/low-contrast-fields.css"></head>`,
			`<details class="advanced">`, `<details class="advanced" open>`}},
}

// fixtureServer serves the broken pages as /pages/NAME.html under the app's CSP, the
// stylesheets of testdata/a11y/pages, and the rest (the page's static files, which
// its CSP allows from 'self' alone) from the app through a proxy.
func fixtureServer(t *testing.T) string {
	t.Helper()
	app := newServer(t, server.ScopeSession, memoryStore())
	page := do(t, client(t), "GET", app.URL+"/", "", "")
	pages := map[string]string{}
	for _, p := range brokenPages {
		html := page.body
		for i := 0; i < len(p.edits); i += 2 {
			if !strings.Contains(html, p.edits[i]) {
				t.Fatalf("%s: the page has no %s to replace", p.name, p.edits[i])
			}
			html = strings.Replace(html, p.edits[i], p.edits[i+1], 1)
		}
		pages["/pages/"+p.name+".html"] = html
	}
	target, err := url.Parse(app.URL)
	if err != nil {
		t.Fatal(err)
	}
	proxy := httputil.NewSingleHostReverseProxy(target)
	files := http.FileServer(http.Dir(a11yDir))
	ts := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if html, ok := pages[r.URL.Path]; ok {
			w.Header().Set("Content-Security-Policy", page.header.Get("Content-Security-Policy"))
			w.Header().Set("Content-Type", "text/html; charset=utf-8")
			io.WriteString(w, html)
			return
		}
		if strings.HasPrefix(r.URL.Path, "/pages/") {
			files.ServeHTTP(w, r)
			return
		}
		proxy.ServeHTTP(w, r) // the page's static files
	}))
	t.Cleanup(ts.Close)
	return ts.URL
}

// The checks fail on a copy of the page with one defect each (brokenPages): a
// checkbox without its label (axe-core), a checkbox taken out of the Tab order with
// tabindex="-1" and a div drawn as the Gerar button (the document order of the
// controls: axe-core's WCAG rules pass both), focus rings taken away (visible focus),
// and the text fields' borders and placeholders as pale as they were before the audit
// (fields.js).
func TestA11yChecksFailOnBrokenPages(t *testing.T) {
	scripts := loadA11yScripts(t)
	base := fixtureServer(t)
	ctx := newBrowser(t)
	for _, tc := range brokenPages {
		t.Run(tc.name, func(t *testing.T) {
			must(t, ctx, colorScheme("light"), chromedp.EmulateViewport(375, 740), chromedp.Navigate(base+"/pages/"+tc.name+".html"), chromedp.WaitVisible("#tamanho"))
			if s := eval[string](t, ctx, `getComputedStyle(document.querySelector(".sr-only")).position`); s != "absolute" {
				t.Fatalf("the broken page did not load app.css (position %q)", s)
			}
			var err error
			if tc.check == "audit" {
				err = audit(ctx, scripts)
			} else {
				_, err = tabThrough(ctx, scripts.keyboard)
			}
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("%s on %s: %v, want an error with %s", tc.check, tc.name, err, tc.want)
			}
			t.Logf("%s fails as it should: %v", tc.check, err)
		})
	}
}
