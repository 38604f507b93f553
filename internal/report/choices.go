package report

import (
	"encoding/json"
	"fmt"
	"os"
	"slices"
	"sort"
	"strings"

	"github.com/chatconform/chatconform/internal/outcome"
)

// WaiverResult is one CHAT_WAIVERS entry as the run used it.
type WaiverResult struct {
	ID      string `json:"id"`
	Reason  string `json:"reason"`
	Expires string `json:"expires"`
	Match   string `json:"match,omitempty"`
	// Waiver is file:line of the entry.
	Waiver string `json:"waiver"`
	// Findings counts the findings it waived in this run.
	Findings int  `json:"findings"`
	Expired  bool `json:"expired,omitempty"`
	// Stale: its assertion ran and passed without it; remove it.
	Stale bool `json:"stale,omitempty"`
}

// NotRun is an assertion skipped because the user did not opt in.
type NotRun struct {
	ID string `json:"id"`
	// Setting is what would run it.
	Setting string `json:"setting"`
}

// Comparison is this run against CHAT_BASELINE, per (api-version,
// assertion ID). In a run of one api-version the lists hold assertion IDs
// ("ADD-01"); in a run of several each entry names its version too
// ("ADD-01 (2025-03-15)"). A version the baseline did not certify has
// nothing to compare with: every failure there is a regression and every
// harness error new, as with an unreadable baseline.
type Comparison struct {
	File         string `json:"file"`
	SuiteVersion string `json:"suiteVersion"`
	// APIVersion is the baseline's apiVersion field (a baseline of one
	// api-version); APIVersions are every version it certified.
	APIVersion  string   `json:"apiVersion,omitempty"`
	APIVersions []string `json:"apiVersions,omitempty"`
	Verdict     string   `json:"verdict"`
	// Regressions fail now and did not fail in the baseline.
	Regressions []string `json:"regressions"`
	// Fixed failed in the baseline and pass (or warn, or are waived) now.
	Fixed []string `json:"fixed"`
	// Known fail in both runs.
	Known []string `json:"known"`
	// NewErrors are harness errors the baseline did not have.
	NewErrors []string `json:"newErrors"`
	// NewProblems are suite problems (setup, teardown) the baseline did
	// not have.
	NewProblems []string `json:"newProblems,omitempty"`
	// Warnings say why the comparison may mislead (api-versions only one
	// of the runs certified, another suite version, an unreadable file).
	Warnings []string `json:"warnings,omitempty"`
}

// Headline is the line the reports start with.
func (c *Comparison) Headline() string {
	return fmt.Sprintf("%s, %d fixed since the baseline", plural(len(c.Regressions), "regression"), len(c.Fixed))
}

// Gate reports whether the run is worse than the baseline: a regression, or
// a harness error or suite problem that is new.
func (c *Comparison) Gate() bool {
	return len(c.Regressions)+len(c.NewErrors)+len(c.NewProblems) > 0
}

// LoadBaseline reads an earlier results.json for CHAT_BASELINE.
func LoadBaseline(path string) (*Results, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("CHAT_BASELINE=%s: %v", path, err)
	}
	var r Results
	if err := json.Unmarshal(b, &r); err != nil {
		return nil, fmt.Errorf("CHAT_BASELINE=%s: not a results.json: %v", path, err)
	}
	if r.Schema != ResultsSchema {
		return nil, fmt.Errorf("CHAT_BASELINE=%s: schema %q, want %q (a results.json of this suite)", path, r.Schema, ResultsSchema)
	}
	return &r, nil
}

// compare judges the run against the baseline file, one api-version at a
// time: each version of the run with the same version of the baseline.
func compare(x *run, path string) *Comparison {
	c := &Comparison{File: path, Regressions: []string{}, Fixed: []string{}, Known: []string{}, NewErrors: []string{}}
	base, err := LoadBaseline(path)
	if err != nil {
		c.Warnings = append(c.Warnings, err.Error()+": every failure counts as a regression")
		base = &Results{}
	}
	c.SuiteVersion, c.APIVersion, c.Verdict = base.SuiteVersion, base.APIVersion, base.Verdict
	c.APIVersions = base.CertifiedVersions()
	if err == nil {
		var missing, gone []string
		for _, v := range x.Versions {
			if base.VersionAssertions(v.APIVersion) == nil {
				missing = append(missing, v.name())
			}
		}
		for _, v := range c.APIVersions {
			if !slices.Contains(x.versionNames(), v) {
				gone = append(gone, v)
			}
		}
		if len(missing) > 0 {
			c.Warnings = append(c.Warnings, fmt.Sprintf("the baseline ran api-version %s, this run %s: %s %s not in the baseline, so every failure there counts as a regression",
				orNone(c.APIVersions), strings.Join(x.versionNames(), ", "), strings.Join(missing, ", "), isAre(len(missing))))
		}
		if len(gone) > 0 && len(missing) == 0 { // else the warning above names the baseline's versions
			c.Warnings = append(c.Warnings, fmt.Sprintf("the baseline also ran api-version %s, which this run does not certify: not compared", strings.Join(gone, ", ")))
		}
	}
	if err == nil && base.SuiteVersion != x.Meta.version() {
		c.Warnings = append(c.Warnings, fmt.Sprintf("the baseline was made by chatconform %s, this run by %s: checks may have changed", base.SuiteVersion, x.Meta.version()))
	}
	for _, v := range x.Versions {
		was := base.VersionAssertions(v.APIVersion)
		key := func(id string) string {
			if x.multi() {
				return id + " (" + v.name() + ")"
			}
			return id
		}
		for _, a := range v.Assertions {
			if a.NotApplicable {
				continue
			}
			then := outcome.Outcome(was[a.ID].Outcome)
			switch now := a.Outcome; {
			case now == outcome.Failed && then == outcome.Failed:
				c.Known = append(c.Known, key(a.ID))
			case now == outcome.Failed:
				c.Regressions = append(c.Regressions, key(a.ID))
			case then == outcome.Failed && (now == outcome.Passed || now == outcome.Warned || now == outcome.Waived):
				c.Fixed = append(c.Fixed, key(a.ID))
			case now == outcome.Error && then != outcome.Error:
				c.NewErrors = append(c.NewErrors, key(a.ID))
			}
		}
	}
	old := map[string]bool{}
	for _, p := range base.Problems {
		old[problemKey(p)] = true
	}
	for _, p := range x.Problems {
		if !old[problemKey(p)] {
			c.NewProblems = append(c.NewProblems, p)
		}
	}
	return c
}

func orNone(vs []string) string {
	if len(vs) == 0 {
		return "(none named)"
	}
	return strings.Join(vs, ", ")
}

// problemKey is a suite problem without its details (ids, times), so the
// same problem in two runs matches.
func problemKey(p string) string {
	k, _, _ := strings.Cut(p, ":")
	return k
}

// waiverResults lists every waiver with what it did in the run.
func waiverResults(x *run) []WaiverResult {
	used := map[string]int{}
	byID := map[string]outcome.Outcome{}
	for _, a := range x.Assertions {
		byID[a.ID] = a.Outcome
		for _, f := range a.Waived {
			used[f.Waiver]++
		}
	}
	var out []WaiverResult
	for _, w := range x.Meta.Waivers {
		r := WaiverResult{ID: w.ID, Reason: w.Reason, Expires: w.ExpiryDate(), Match: w.MatchText, Waiver: w.Where(),
			Findings: used[w.Where()], Expired: w.Expired(x.Report.EndTime)}
		switch byID[w.ID] {
		case outcome.Passed, outcome.Warned, outcome.Waived:
			r.Stale = r.Findings == 0
		}
		out = append(out, r)
	}
	return out
}

// staleWaivers are the waivers to remove.
func (x *run) staleWaivers() []WaiverResult {
	var out []WaiverResult
	for _, w := range x.Waivers {
		if w.Stale {
			out = append(out, w)
		}
	}
	return out
}

// notRunByChoice lists the skipped assertions whose capability the user
// did not opt in to.
func notRunByChoice(as []assertion) []NotRun {
	var out []NotRun
	for _, a := range as {
		if a.NotChosen != "" {
			out = append(out, NotRun{ID: a.ID, Setting: a.NotChosen})
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].ID < out[j].ID })
	return out
}

// notRunText is "not run by choice: ERR-07 (set CHAT_RATE_LIMIT_TESTS=1)".
func notRunText(ns []NotRun) string {
	var parts []string
	for _, n := range ns {
		parts = append(parts, n.ID+" (set "+n.Setting+")")
	}
	return "not run by choice: " + strings.Join(parts, ", ")
}

// VerdictLine is the verdict with what the user chose: a CONFORMANT run
// says how many assertions it waived and how many opt-in checks it left out.
func VerdictLine(verdict string, waived, notChosen int) string {
	if verdict != Conformant {
		return verdict
	}
	var notes []string
	if waived > 0 {
		notes = append(notes, plural(waived, "assertion")+" waived")
	}
	if notChosen == 1 {
		notes = append(notes, "1 opt-in check not run")
	} else if notChosen > 1 {
		notes = append(notes, fmt.Sprintf("%d opt-in checks not run", notChosen))
	}
	if len(notes) == 0 {
		return verdict
	}
	return verdict + " (" + strings.Join(notes, ", ") + ")"
}
