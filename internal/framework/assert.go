// Package framework is what a conformance suite is written with: specs are
// declared by their catalogue ID (Assert, AssertTable), SHOULD rows warn
// unless CHAT_STRICT=1, every failure names its clause, and every
// observation can be checked against any assertion (Check). It also holds
// the requests a spec sends and the decision whether a failure is the
// server's or the harness's. Modelled on the Kubernetes e2e framework.
package framework

import (
	"encoding/json"
	"fmt"
	"reflect"
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/chatconform/chatconform/internal/catalogue"
	"github.com/chatconform/chatconform/internal/outcome"
	"github.com/chatconform/chatconform/internal/sanitize"
	"github.com/chatconform/chatconform/internal/waivers"
)

// Assert declares the spec of one catalogue row: Assert("ADD-07", "yields
// one member", func(ctx SpecContext) {…}). From the ID alone it derives the
// "[ADD-07] " text prefix, the ID, area and tier labels, the clause named
// in every failure, and for a SHOULD row the warn-unless-strict handling.
// Further args are passed to It as they are (decorators, more labels).
func Assert(id, text string, args ...any) bool {
	a := catalogue.Get(id)
	return It(specText(a, text), wrapArgs(a, args)...)
}

// AssertTable is Assert for a DescribeTable: every entry is a spec of the
// row, with the row's labels and handling.
func AssertTable(id, text string, args ...any) bool {
	a := catalogue.Get(id)
	return DescribeTable(specText(a, text), wrapArgs(a, args)...)
}

func specText(a catalogue.Assertion, text string) string { return "[" + a.ID + "] " + text }

// wrapArgs adds the row's labels and wraps the spec body (the first
// function among args) so that its failures carry the clause.
func wrapArgs(a catalogue.Assertion, args []any) []any {
	out := []any{Label(a.Labels()...), SpecPriority(priority(a))}
	wrapped := false
	for _, arg := range args {
		if v := reflect.ValueOf(arg); !wrapped && v.Kind() == reflect.Func {
			arg, wrapped = judged(a, v), true
		}
		out = append(out, arg)
	}
	return out
}

// priority schedules the specs with the longest chains of round trips
// first, STATE-01's sequences (about 25) before the walks a participant at
// a time (about 10, paging and remove): Ginkgo hands a process its next
// spec when it is free, so a long chain started last would leave the other
// processes idle at the end (longest first is within 4/3 of the best
// schedule). Within a priority the order is still random.
func priority(a catalogue.Assertion) int {
	switch a.Area {
	case "stateful":
		return 2
	case "paging", "remove":
		return 1
	}
	return 0
}

// judged returns body with the same signature, run under the row's
// judgement: a Gomega failure becomes a failure naming the clause (MUST), or
// a warning (SHOULD, unless strict). Skips, harness and setup failures pass
// through untouched, since they call Ginkgo's Fail, not Gomega's.
func judged(a catalogue.Assertion, body reflect.Value) any {
	return reflect.MakeFunc(body.Type(), func(in []reflect.Value) []reflect.Value {
		var out []reflect.Value
		judge(a, func() { out = body.Call(in) })
		return out
	}).Interface()
}

// judge runs f as evidence about a, in the running spec.
func judge(a catalogue.Assertion, f func()) {
	GinkgoHelper()
	err := InterceptGomegaFailure(f)
	if err == nil {
		return
	}
	text := clause(a) + "\n" + sanitize.Text(err.Error()) // the server's bytes are untrusted
	if w := waiverFor(a.ID, text); w != nil {
		if !w.Expired(time.Now()) {
			recordWaived(a.ID, w, text)
			return
		}
		Fail(text+expiredNote(w), 1)
	}
	if a.Tier == catalogue.Should && !strict() {
		AddReportEntry(outcome.EntryWarning, text, ReportEntryVisibilityAlways)
		return
	}
	if a.Tier == catalogue.Should {
		text += "\n(CHAT_STRICT=1 makes SHOULD-tier findings failures)"
	}
	Fail(text, 1)
}

// clause names the catalogue row a failure is evidence against.
func clause(a catalogue.Assertion) string {
	return fmt.Sprintf("[%s] %s: %s", a.ID, map[catalogue.Tier]string{catalogue.Must: "MUST", catalogue.Should: "SHOULD"}[a.Tier], a.Behavior)
}

// Current is the assertion of the running spec.
func Current() catalogue.Assertion {
	for _, l := range CurrentSpecReport().Labels() {
		if a, ok := catalogue.Lookup(l); ok {
			return a
		}
	}
	panic("framework: the running spec was not declared with Assert or AssertTable")
}

// Should runs the SHOULD half of a MUST row ("never 5xx; SHOULD be 400"):
// a failure is a warning unless CHAT_STRICT=1.
func Should(f func()) {
	GinkgoHelper()
	a := Current()
	a.Tier = catalogue.Should
	judge(a, f)
}

// Check judges an observation against assertion id, which need not be the
// running spec's: every listing after an add is ADD-04 evidence, every walk
// PAGE-01…04 evidence, whichever spec made it. For the spec's own row f is
// simply part of the spec. For another row a failure does not stop the
// spec: it is recorded as a finding against that row, which makes the row
// fail (MUST) or warn (SHOULD, unless strict) in every report.
func Check(id string, f func()) {
	GinkgoHelper()
	a := catalogue.Get(id)
	if a.ID == Current().ID {
		judge(a, f) // also in setup nodes, which Assert does not wrap
		return
	}
	err := InterceptGomegaFailure(f)
	if err == nil {
		return
	}
	msg := clause(a) + "\n(observed by the spec of " + Current().ID + ": " + CurrentSpecReport().LeafNodeText + ")\n" + sanitize.Text(err.Error()) // untrusted bytes
	o := outcome.Failed
	if a.Tier == catalogue.Should && !strict() {
		o = outcome.Warned
	}
	if w := waiverFor(a.ID, msg); w != nil {
		if !w.Expired(time.Now()) {
			recordWaived(a.ID, w, msg)
			return
		}
		o, msg = outcome.Failed, msg+expiredNote(w)
	}
	f2 := outcome.Finding{ID: a.ID, Outcome: o, By: Current().ID, Message: msg}
	if findings != nil { // STATE-01 (stateful.go) reports each row once
		findings(f2)
		return
	}
	b, _ := json.Marshal(f2)
	AddReportEntry(outcome.EntryFinding, string(b), ReportEntryVisibilityAlways)
}

func strict() bool { return Env != nil && Env.Config.Strict }

// waiverFor is the CHAT_WAIVERS entry covering a finding of id, if any.
func waiverFor(id, message string) *waivers.Waiver {
	if Env == nil || len(Env.Config.Waivers) == 0 {
		return nil
	}
	return waivers.Find(Env.Config.Waivers, id, message, time.Now())
}

// recordWaived attaches a waived finding of id to the running spec: every
// report shows it with the waiver's reason, and the spec does not fail.
func recordWaived(id string, w *waivers.Waiver, message string) {
	f := outcome.Finding{ID: id, By: Current().ID, Outcome: outcome.Waived, Message: message,
		WaiverID: w.ID, Reason: w.Reason, Waiver: w.Where(), Expires: w.ExpiryDate()}
	b, _ := json.Marshal(f)
	AddReportEntry(outcome.EntryWaived, string(b), ReportEntryVisibilityAlways)
}

// expiredNote turns a finding an expired waiver covers back into a
// failure that says which entry to renew or remove.
func expiredNote(w *waivers.Waiver) string {
	return fmt.Sprintf("\n(the %s waiver at %s expired on %s: fix the deviation, or renew the waiver with a new reason and date)", w.ID, w.Where(), w.ExpiryDate())
}
