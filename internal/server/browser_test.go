package server_test

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/browser"
	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"

	"github.com/giropops/giropops-senhas/internal/password"
	"github.com/giropops/giropops-senhas/internal/server"
	"github.com/giropops/giropops-senhas/internal/testenv"
)

// newBrowser starts headless Chromium (Debian's) for one test. Without it a
// test is skipped locally and fails under CI.
func newBrowser(t *testing.T) context.Context {
	t.Helper()
	path, err := exec.LookPath("chromium")
	if err != nil {
		testenv.Missing(t, "chromium not found on PATH: install it (apt-get install chromium) to run the browser tests")
	}
	opts := []chromedp.ExecAllocatorOption{
		chromedp.ExecPath(path), chromedp.Headless, chromedp.NoSandbox, chromedp.DisableGPU,
		chromedp.NoFirstRun, chromedp.NoDefaultBrowserCheck, chromedp.UserDataDir(t.TempDir()),
		chromedp.Flag("disable-background-networking", true), chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true), chromedp.Flag("disable-quic", true),
	}
	actx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	ctx, cancel := chromedp.NewContext(actx)
	ctx, cancelTimeout := context.WithTimeout(ctx, 60*time.Second)
	t.Cleanup(func() { cancelTimeout(); cancel(); cancelAlloc() })
	if err := chromedp.Do(ctx); err != nil { // start the browser
		t.Fatalf("start chromium: %v", err)
	}
	return ctx
}

// grantClipboardRead lets the page at origin read the clipboard, which the tests
// compare with the password the copy button copied.
func grantClipboardRead(t *testing.T, ctx context.Context, origin string) {
	t.Helper()
	if _, err := chromedp.CallBrowser(ctx, browser.SetPermission, browser.SetPermissionParams{
		Permission: &browser.PermissionDescriptor{Name: "clipboard-read"}, Setting: browser.PermissionSettingGranted, Origin: origin,
	}); err != nil {
		t.Fatalf("grant clipboard-read: %v", err)
	}
}

func eval[T any](t *testing.T, ctx context.Context, js string) T {
	t.Helper()
	v, err := chromedp.Run(ctx, chromedp.Evaluate[T](js, chromedp.EvalAwaitPromise))
	if err != nil {
		t.Fatalf("evaluate %s: %v", js, err)
	}
	return v
}

func must(t *testing.T, ctx context.Context, steps ...chromedp.Action[chromedp.Void]) {
	t.Helper()
	if err := chromedp.Do(ctx, steps...); err != nil {
		t.Fatal(err)
	}
}

// screenshot saves the page under $SCREENSHOTS, when set, to look at it.
func screenshot(t *testing.T, ctx context.Context, name string) {
	dir := os.Getenv("SCREENSHOTS")
	if dir == "" {
		return
	}
	png, err := chromedp.Run(ctx, chromedp.FullScreenshot(100))
	if err == nil {
		err = os.WriteFile(filepath.Join(dir, name+".png"), png, 0o644)
	}
	if err != nil {
		t.Logf("screenshot %s: %v", name, err)
	}
}

// A user on a phone-sized screen sets the length, unchecks special
// characters, generates, reveals, copies and finds the password in the history.
func TestBrowserGenerateRevealCopy(t *testing.T) {
	store := &recordingStore{History: memoryStore()}
	ts := newServer(t, server.ScopeSession, store)
	ctx := newBrowser(t)
	grantClipboardRead(t, ctx, ts.URL)
	must(t, ctx, chromedp.EmulateViewport(375, 740), chromedp.Navigate(ts.URL), chromedp.WaitVisible("#tamanho"))

	if title := eval[string](t, ctx, `document.title`); !strings.Contains(title, "Gerador de Senhas") {
		t.Fatalf("title %q", title)
	}
	// The stylesheet applied (the CSP lets our own files in): the reveal checkboxes are hidden.
	if w := eval[bool](t, ctx, `document.documentElement.scrollWidth <= window.innerWidth`); !w {
		t.Fatal("the page scrolls sideways on a 375px screen")
	}
	// The script ran: moving the slider updates the readout.
	eval[any](t, ctx, `(() => { const r = document.getElementById("tamanho"); r.value = "20"; r.dispatchEvent(new Event("input")); })()`)
	if v := eval[string](t, ctx, `document.getElementById("tamanho-valor").value`); v != "20" {
		t.Fatalf("length readout %q after moving the slider to 20", v)
	}
	must(t, ctx, chromedp.Click("#incluir_caracteres_especiais"), chromedp.Click("button[type=submit]"), chromedp.WaitVisible(".result"))
	screenshot(t, ctx, "phone-after-generate")

	if d := eval[string](t, ctx, `getComputedStyle(document.querySelector(".result .plain")).display`); d != "none" {
		t.Fatalf("the new password is shown unmasked at first (display %q)", d)
	}
	must(t, ctx, chromedp.Click(".result label"))
	if d := eval[string](t, ctx, `getComputedStyle(document.querySelector(".result .plain")).display`); d == "none" {
		t.Fatal("the eye button did not reveal the password")
	}
	p := eval[string](t, ctx, `document.querySelector(".result .plain").textContent`)
	if len(p) != 20 || !strings.ContainsAny(p, password.Digits) || strings.ContainsAny(p, password.Punctuation) {
		t.Fatalf("generated %q: want 20 characters with digits and no punctuation", p)
	}
	must(t, ctx, chromedp.Click(".result label"))
	if d := eval[string](t, ctx, `getComputedStyle(document.querySelector(".result .plain")).display`); d != "none" {
		t.Fatal("the eye button did not hide the password again")
	}
	screenshot(t, ctx, "phone-revealed")

	must(t, ctx, chromedp.Click(".result button.copy"), chromedp.WaitVisible("#status.visible"))
	if got := eval[string](t, ctx, `navigator.clipboard.readText()`); got != p {
		t.Fatalf("clipboard holds %q, want %q", got, p)
	}
	if s := eval[string](t, ctx, `document.getElementById("status").textContent`); s != "Senha copiada" {
		t.Fatalf("status %q", s)
	}

	history := `Array.from(document.querySelectorAll("#historico .history .plain")).map(e => e.textContent)`
	if h := eval[[]string](t, ctx, history); len(h) != 1 || h[0] != p {
		t.Fatalf("history %q, want [%s]", h, p)
	}
	// Reloading does not post the form again, and the refresh button shows the same history.
	must(t, ctx, chromedp.Reload(), chromedp.WaitVisible("#historico"))
	must(t, ctx, chromedp.Click("#historico a.btn"), chromedp.WaitVisible("#historico"))
	if h := eval[[]string](t, ctx, history); len(h) != 1 || h[0] != p {
		t.Fatalf("history after reload and refresh %q, want [%s]", h, p)
	}
	if n := eval[int](t, ctx, `document.querySelectorAll(".result").length`); n != 0 {
		t.Fatal("the new-password card survived a reload")
	}
	screenshot(t, ctx, "phone-history")

	// The store got it sealed, and no cookie the browser holds carries it.
	if findAny(store.String(), []string{p}) != "" || store.n != 1 {
		t.Fatalf("the store was handed %d writes, the password among them", store.n)
	}
	cookies, err := chromedp.Call(ctx, network.GetCookies, network.GetCookiesParams{})
	if err != nil || len(cookies.Cookies) == 0 {
		t.Fatalf("the browser's cookies: %v %v", cookies, err)
	}
	var w workload
	for _, c := range cookies.Cookies {
		w.headers = append(w.headers, c.Name+"="+c.Value)
	}
	w.owners = []owner{{made: []string{p}}}
	checkHeaders(t, w)

	// Limpar histórico empties it.
	must(t, ctx, chromedp.Click("#historico form.clear button"), chromedp.WaitNotPresent("#historico form.clear"))
	if h := eval[[]string](t, ctx, history); len(h) != 0 {
		t.Fatalf("history after Limpar histórico: %q", h)
	}
}

// With JavaScript off, the form still generates and the eye still reveals.
func TestBrowserWithoutJavaScript(t *testing.T) {
	ts := newServer(t, server.ScopeSession, memoryStore())
	ctx := newBrowser(t)
	must(t, ctx, chromedp.Func(func(ctx context.Context, tg *chromedp.Target) error {
		_, err := chromedp.Call(ctx, emulation.SetScriptExecutionDisabled, emulation.SetScriptExecutionDisabledParams{Value: true})
		return err
	}))
	must(t, ctx, chromedp.EmulateViewport(1280, 900), chromedp.Navigate(ts.URL), chromedp.WaitVisible("#tamanho"),
		chromedp.Click("button[type=submit]"), chromedp.WaitVisible(".result"), chromedp.Click(".result label"))
	screenshot(t, ctx, "desktop-no-js")
	style, err := chromedp.Run(ctx, chromedp.ComputedStyle(".result button.copy"))
	if err != nil {
		t.Fatal(err)
	}
	for _, prop := range style {
		if prop.Name == "display" && prop.Value != "none" {
			t.Fatalf("the copy button shows without JavaScript, where it cannot work (display %q)", prop.Value)
		}
	}
	p, err := chromedp.Run(ctx, chromedp.Text(".result .plain"))
	if err != nil {
		t.Fatal(err)
	}
	if len(p) != 16 || !strings.ContainsAny(p, password.Digits) || !strings.ContainsAny(p, password.Punctuation) {
		t.Fatalf("generated %q without JavaScript: want the page's default, 16 characters with every class", p)
	}
}

// A user opens Opções avançadas, makes a passphrase (the password-only options
// hide), then three passwords with at least two digits each, and reads each
// one's strength.
func TestBrowserAdvancedOptions(t *testing.T) {
	ts := newServer(t, server.ScopeSession, memoryStore())
	ctx := newBrowser(t)
	must(t, ctx, chromedp.EmulateViewport(375, 740), chromedp.Navigate(ts.URL), chromedp.WaitVisible("#tamanho"))
	if open := eval[bool](t, ctx, `document.querySelector("details.advanced").open`); open {
		t.Fatal("Opções avançadas is open before any option is set")
	}
	must(t, ctx, chromedp.Click("details.advanced summary"), chromedp.WaitVisible("#tipo-frase"), chromedp.Click("#tipo-frase"))
	if v := eval[bool](t, ctx, `getComputedStyle(document.getElementById("tamanho")).display !== "none" && document.getElementById("tamanho").offsetParent !== null`); v {
		t.Fatal("the length slider still shows for a passphrase")
	}
	must(t, ctx, chromedp.SetValue("#palavras", "6"), chromedp.Click("button[type=submit]"), chromedp.WaitVisible(".result"))
	screenshot(t, ctx, "phone-passphrase")
	p := eval[string](t, ctx, `document.querySelector(".result .plain").textContent`)
	if words := strings.Split(p, "-"); len(words) < 6 {
		t.Fatalf("passphrase %q: want 6 words", p)
	}
	// Incluir números stays checked (the page's default): a digit on one of the 6 words.
	if s := eval[string](t, ctx, `document.querySelector(".result .strength").textContent`); !strings.Contains(s, "83 bits") || !strings.Contains(s, "adivinhar") {
		t.Fatalf("passphrase strength %q: want 83 bits (6·log2 7776 + log2(6·10) = 83.4) and a time to guess", s)
	}
	if checked := eval[bool](t, ctx, `document.getElementById("tipo-frase").checked && document.querySelector("details.advanced").open`); !checked {
		t.Fatal("the form did not keep the passphrase choice open")
	}

	must(t, ctx, chromedp.Click("#tipo-senha"), chromedp.WaitVisible("#tamanho"),
		chromedp.SetValue("#quantidade", "3"), chromedp.SetValue("#minimo_numeros", "2"))
	eval[any](t, ctx, `(() => { const r = document.getElementById("tamanho"); r.value = "12"; r.dispatchEvent(new Event("input")); document.getElementById("incluir_numeros").checked = true; document.getElementById("incluir_caracteres_especiais").checked = false; })()`)
	must(t, ctx, chromedp.Click("button[type=submit]"), chromedp.WaitVisible(".result ol"))
	screenshot(t, ctx, "phone-three")
	ps := eval[[]string](t, ctx, `Array.from(document.querySelectorAll(".result .plain")).map(e => e.textContent)`)
	strengths := eval[[]string](t, ctx, `Array.from(document.querySelectorAll(".result .strength")).map(e => e.textContent)`)
	if len(ps) != 3 || len(strengths) != 3 {
		t.Fatalf("quantidade 3 listed %q with strengths %q", ps, strengths)
	}
	for i, p := range ps {
		digits := 0
		for _, r := range p {
			if r >= '0' && r <= '9' {
				digits++
			}
		}
		if len(p) != 12 || digits < 2 || strings.ContainsAny(p, password.Punctuation) || !strings.Contains(strengths[i], "bits") {
			t.Fatalf("password %q (%s): want 12 characters, 2 digits or more, no punctuation, and a strength", p, strengths[i])
		}
	}
	if n := eval[int](t, ctx, `document.querySelectorAll(".result button.copy").length`); n != 3 {
		t.Fatalf("%d copy buttons for 3 passwords", n)
	}
}
