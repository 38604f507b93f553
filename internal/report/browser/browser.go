// Package browser drives a headless Chromium for the report's screenshot
// command and its browser test: the one place that knows where Chromium is
// and which flags make it run in a container, as root, offline.
package browser

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"

	"github.com/chromedp/chromedp"
)

// DefaultPath is where Debian's chromium package puts the browser.
const DefaultPath = "/usr/bin/chromium"

// ErrNoChromium says no browser was found; the message names how to get one.
var ErrNoChromium = errors.New("no Chromium: install it (Debian: apt-get install -y chromium) or set CHROME_PATH to a Chrome or Chromium binary")

// Path returns the browser to run: CHROME_PATH when set (it must exist),
// otherwise /usr/bin/chromium, otherwise chromium or chromium-browser on
// PATH.
func Path() (string, error) {
	if p := os.Getenv("CHROME_PATH"); p != "" {
		if _, err := os.Stat(p); err != nil {
			return "", fmt.Errorf("CHROME_PATH=%s: %w", p, err)
		}
		return p, nil
	}
	if _, err := os.Stat(DefaultPath); err == nil {
		return DefaultPath, nil
	}
	for _, name := range []string{"chromium", "chromium-browser"} {
		if p, err := exec.LookPath(name); err == nil {
			return p, nil
		}
	}
	return "", ErrNoChromium
}

// New starts a headless browser tab; opts are for the tab (a
// chromedp.WithListener that must see its first events). The browser runs
// with --no-sandbox (a container as root has no user namespace for the
// sandbox; the pages are our own files) and with every background network
// feature off, in a throw-away profile that cancel removes.
func New(ctx context.Context, opts ...chromedp.ContextOption) (context.Context, context.CancelFunc, error) {
	path, err := Path()
	if err != nil {
		return nil, nil, err
	}
	profile, err := os.MkdirTemp("", "chatconform-chromium-")
	if err != nil {
		return nil, nil, err
	}
	aopts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(path),
		chromedp.Headless,
		chromedp.NoSandbox,
		chromedp.DisableGPU,
		chromedp.NoFirstRun,
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.Flag("hide-scrollbars", true),
		chromedp.UserDataDir(profile),
	)
	actx, acancel := chromedp.NewExecAllocator(ctx, aopts...)
	tctx, tcancel := chromedp.NewContext(actx, opts...)
	cancel := func() {
		tcancel()
		acancel()
		_ = os.RemoveAll(profile)
	}
	return tctx, cancel, nil
}

// FileURL is the file:// URL of a local file.
func FileURL(path string) (string, error) {
	abs, err := filepath.Abs(path)
	if err != nil {
		return "", err
	}
	return (&url.URL{Scheme: "file", Path: filepath.ToSlash(abs)}).String(), nil
}

// Screenshot loads a local HTML file at the given viewport width and
// returns a PNG of the whole page.
func Screenshot(ctx context.Context, htmlPath string, width int) ([]byte, error) {
	u, err := FileURL(htmlPath)
	if err != nil {
		return nil, err
	}
	if _, err := os.Stat(htmlPath); err != nil {
		return nil, err
	}
	tctx, cancel, err := New(ctx)
	if err != nil {
		return nil, err
	}
	defer cancel()
	return Capture(tctx, u, width)
}

// Capture navigates a tab to u at the given width and returns a full-page
// PNG. Mobile widths (< 600 px) emulate a phone so media queries and text
// sizing behave as on one.
func Capture(tctx context.Context, u string, width int) ([]byte, error) {
	vp := chromedp.EmulateViewport(int64(width), 900)
	if width < 600 {
		vp = chromedp.EmulateViewport(int64(width), 844, chromedp.EmulateMobile, chromedp.EmulateScale(2))
	}
	if err := chromedp.Do(tctx, vp, chromedp.Navigate(u), chromedp.WaitReady("body")); err != nil {
		return nil, fmt.Errorf("loading %s in Chromium: %w", u, err)
	}
	return chromedp.Run(tctx, chromedp.FullScreenshot(100))
}
