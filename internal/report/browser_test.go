package report

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	cdplog "github.com/chromedp/cdproto/log"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/cdproto/runtime"
	"github.com/chromedp/chromedp"

	"github.com/chatconform/chatconform/internal/catalogue"
	"github.com/chatconform/chatconform/internal/report/browser"
)

// pageProblems collects what a self-contained, error-free page must never
// produce: exceptions, console errors, browser log errors (a CSP violation
// lands there) and requests for anything that is not the file itself.
type pageProblems struct {
	mu       sync.Mutex
	problems []string
}

func (p *pageProblems) add(s string) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.problems = append(p.problems, s)
}

func (p *pageProblems) list() []string {
	p.mu.Lock()
	defer p.mu.Unlock()
	return append([]string(nil), p.problems...)
}

func (p *pageProblems) listen(ev any) {
	switch ev := ev.(type) {
	case *runtime.EventExceptionThrown:
		p.add("exception: " + ev.ExceptionDetails.Text + " " + describe(ev.ExceptionDetails.Exception))
	case *runtime.EventConsoleAPICalled:
		if ev.Type == runtime.ConsoleAPICalledTypeError || ev.Type == runtime.ConsoleAPICalledTypeAssert {
			p.add("console." + string(ev.Type))
		}
	case *cdplog.EventEntryAdded:
		if ev.Entry.Level == cdplog.EntryLevelError {
			p.add("log: " + ev.Entry.Text)
		}
	case *network.EventRequestWillBeSent:
		if u := ev.Request.URL; !strings.HasPrefix(u, "file:") && !strings.HasPrefix(u, "data:") {
			p.add("network request: " + u)
		}
	}
}

func describe(o *runtime.RemoteObject) string {
	if o == nil {
		return ""
	}
	return o.Description
}

// TestReportHTMLInChromium opens report.html in headless Chromium as a
// person would: no errors, no fetches, failures first, a failure expands,
// print opens everything, and a phone gets no sideways scrolling.
func TestReportHTMLInChromium(t *testing.T) {
	if _, err := browser.Path(); err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("CI=true but %v: CI must install Chromium (.ci/run: apt-get install -y chromium)", err)
		}
		t.Skipf("skipping the browser check of report.html: %v", err)
	}
	dir := write(t, fixtureReport(), fixtureMeta())
	u, err := browser.FileURL(filepath.Join(dir, FileHTML))
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
	defer cancel()
	var probs pageProblems
	tctx, bcancel, err := browser.New(ctx, chromedp.WithListener(probs.listen))
	if err != nil {
		t.Fatal(err)
	}
	defer bcancel()
	// Start the tab, then turn on the log and network events before the
	// page loads, so the checks see its whole life.
	if err := chromedp.Do(tctx); err != nil {
		t.Fatalf("starting Chromium: %v", err)
	}
	if _, err := chromedp.Call(tctx, cdplog.Enable, cdp.Empty{}); err != nil {
		t.Fatal(err)
	}
	if _, err := chromedp.Call(tctx, network.Enable, network.EnableParams{}); err != nil {
		t.Fatal(err)
	}
	desktop, err := browser.Capture(tctx, u, 1280)
	if err != nil {
		t.Fatal(err)
	}

	eval := func(js string) bool {
		t.Helper()
		v, err := chromedp.Run(tctx, chromedp.Evaluate[bool](js))
		if err != nil {
			t.Fatalf("evaluating %s: %v", js, err)
		}
		return v
	}
	check := func(what, js string) {
		t.Helper()
		if !eval(js) {
			t.Errorf("%s: false: %s", what, js)
		}
	}
	check("the verdict heads the page", `document.getElementById("verdict").textContent === "NOT CONFORMANT"`)
	check("one failure section, for ADD-01", `document.querySelectorAll("details.assertion.failed").length === 1 && !!document.getElementById("ADD-01")`)
	check("failures first, then errors, warnings, passed, skipped", fmt.Sprintf(`(() => {
		const rank = {failed: 0, error: 1, warned: 2, passed: 3, skipped: 4};
		const os = [...document.querySelectorAll("details.assertion")].map(d => rank[d.dataset.outcome]);
		return os.length === %d && os.every((o, i) => i === 0 || os[i-1] <= o);
	})()`, len(catalogue.All())))
	check("the failure starts collapsed", `document.getElementById("ADD-01").open === false`)
	if err := chromedp.Do(tctx, chromedp.Click(chromedp.CSS("#ADD-01 > summary"))); err != nil {
		t.Fatal(err)
	}
	check("clicking the summary opens the failure", `document.getElementById("ADD-01").open === true`)
	check("the open failure shows its curl line", `(() => {
		const pre = document.querySelector("#ADD-01 .curl pre");
		return !!pre && pre.offsetHeight > 0 && pre.textContent.includes("Authorization: Bearer $CHAT_TOKEN");
	})()`)
	check("the open failure shows its transcript", `document.querySelector("#ADD-01 .exchange.repro .status").textContent.startsWith("500")`)
	check("a response body is text, not markup", `document.scripts.length === 1 && document.body.textContent.includes("boom <script>alert(1)</script>")`)
	check("print opens every details", `(() => {
		window.dispatchEvent(new Event("beforeprint"));
		const all = [...document.querySelectorAll("details")].every(d => d.open);
		window.dispatchEvent(new Event("afterprint"));
		return all && document.getElementById("LIST-03").open === false && document.getElementById("ADD-01").open === true;
	})()`)
	if err := chromedp.Do(tctx, chromedp.Click(chromedp.CSS("#expand-all"))); err != nil {
		t.Fatal(err)
	}
	check("expand all opens everything", `[...document.querySelectorAll("details")].every(d => d.open)`)

	// A phone: the page itself must not scroll sideways, with everything
	// open; long lines scroll inside their own blocks.
	phone, err := browser.Capture(tctx, u, 390)
	if err != nil {
		t.Fatal(err)
	}
	if err := chromedp.Do(tctx, chromedp.Click(chromedp.CSS("#expand-all"))); err != nil {
		t.Fatal(err)
	}
	check("no sideways scrolling at 390 px", `document.documentElement.scrollWidth <= window.innerWidth`)
	phoneOpen, err := chromedp.Run(tctx, chromedp.FullScreenshot(100))
	if err != nil {
		t.Fatal(err)
	}

	for _, p := range probs.list() {
		t.Errorf("report.html: %s", p)
	}
	out := os.Getenv("CHATCONFORM_SCREENSHOT_DIR") // keep them to look at
	if out == "" {
		out = t.TempDir()
	}
	for name, png := range map[string][]byte{"report-desktop.png": desktop, "report-phone.png": phone, "report-phone-open.png": phoneOpen} {
		if len(png) < 8 || string(png[1:4]) != "PNG" {
			t.Errorf("%s is not a PNG", name)
			continue
		}
		if err := os.WriteFile(filepath.Join(out, name), png, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	t.Logf("screenshots in %s", out)
}

// TestMatrixInChromium opens the report of a run of two api-versions: the
// matrix heads the page, a cell opens that version's section of the
// assertion, and on a phone the matrix scrolls inside its own box, not the
// page.
func TestMatrixInChromium(t *testing.T) {
	if _, err := browser.Path(); err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("CI=true but %v: CI must install Chromium", err)
		}
		t.Skipf("skipping the browser check of report.html: %v", err)
	}
	dir := write(t, twoVersions(), twoVersionMeta())
	u, err := browser.FileURL(filepath.Join(dir, FileHTML))
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
	defer cancel()
	var probs pageProblems
	tctx, bcancel, err := browser.New(ctx, chromedp.WithListener(probs.listen))
	if err != nil {
		t.Fatal(err)
	}
	defer bcancel()
	if err := chromedp.Do(tctx); err != nil {
		t.Fatalf("starting Chromium: %v", err)
	}
	if _, err := chromedp.Call(tctx, cdplog.Enable, cdp.Empty{}); err != nil {
		t.Fatal(err)
	}
	if _, err := browser.Capture(tctx, u, 1280); err != nil {
		t.Fatal(err)
	}
	check := func(what, js string) {
		t.Helper()
		v, err := chromedp.Run(tctx, chromedp.Evaluate[bool](js))
		if err != nil {
			t.Fatalf("evaluating %s: %v", js, err)
		}
		if !v {
			t.Errorf("%s: false: %s", what, js)
		}
	}
	check("the matrix comes before every assertion", `(() => {
		const m = document.getElementById("matrix"), first = document.querySelector("details.assertion");
		return !!m && !!(m.compareDocumentPosition(first) & Node.DOCUMENT_POSITION_FOLLOWING);
	})()`)
	check("a row per assertion, a cell per version", fmt.Sprintf(`document.querySelectorAll("#matrix td a.pill").length === %d`, 2*len(catalogue.All())))
	check("each version's verdict heads its column", `[...document.querySelectorAll("#matrix th.v")].map(th => th.textContent).join("|") === "2024-03-07CONFORMANT|2025-03-15NOT CONFORMANT"`)
	check("one failure, of 2025-03-15", `(() => {
		const f = document.querySelectorAll("details.assertion.failed");
		return f.length === 1 && f[0].dataset.version === "2025-03-15" && f[0].querySelector(".version").textContent === "2025-03-15";
	})()`)
	check("the failure starts collapsed", `document.getElementById("ADD-01@2025-03-15").open === false`)
	if err := chromedp.Do(tctx, chromedp.Click(chromedp.CSS(`#matrix a.pill.failed`))); err != nil {
		t.Fatal(err)
	}
	time.Sleep(200 * time.Millisecond) // hashchange is asynchronous
	check("the matrix cell opens that version's section", `document.getElementById("ADD-01@2025-03-15").open === true && document.getElementById("ADD-01@2024-03-07").open === false`)
	if _, err := browser.Capture(tctx, u, 390); err != nil {
		t.Fatal(err)
	}
	check("no sideways scrolling at 390 px", `document.documentElement.scrollWidth <= window.innerWidth`)
	for _, p := range probs.list() {
		t.Errorf("report.html: %s", p)
	}
}
