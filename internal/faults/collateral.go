package faults

// observedElsewhere is collateral that comes from the suite checking every
// observation against every property that applies: a fault aimed at one row
// is also seen by the specs that read through the broken behaviour, and
// their findings count for the rows they are evidence of. For example a
// broken nextLink breaks the 200-participant listing that ADD-04 reads, and
// the walks of PAGE-05 and REM-05; a legacy error envelope breaks every
// spec that expects an error body (LIST-05, REM-03, REM-04). The fault's own
// Trips must still fail; these may.
var observedElsewhere = map[string][]string{
	"add-200-not-201":                  {"ADD-04", "META-02", "REM-02", "TIME-03"},
	"add-reports-valid-as-invalid":     {"ADD-04"},
	"creator-not-listed":               {"PAGE-02"},
	"hostile-100mb-body":               {"PAGE-02", "PAGE-04", "PAGE-05", "PAGE-06", "REM-05"},
	"hostile-endless-next-link":        {"ADD-04", "PAGE-05", "REM-05"},
	"hostile-html-body":                {"PAGE-02", "PAGE-04", "PAGE-05", "PAGE-06", "REM-05"},
	"hostile-json-null":                {"PAGE-02", "PAGE-04", "PAGE-05", "PAGE-06", "REM-05"},
	"hostile-never-answers":            {"PAGE-02", "PAGE-04", "PAGE-05", "PAGE-06", "REM-05"},
	"hostile-resets-connection":        {"PAGE-02", "PAGE-04", "PAGE-05", "PAGE-06", "REM-05"},
	"hostile-stalls-body":              {"PAGE-02", "PAGE-04", "PAGE-05", "PAGE-06", "REM-05"},
	"hostile-truncated-json":           {"PAGE-02", "PAGE-04", "PAGE-05", "PAGE-06", "REM-05"},
	"last-page-keeps-next-link":        {"REM-05"},
	"legacy-error-envelope":            {"LIST-05", "REM-03", "REM-04"},
	"malformed-id-accepted-and-listed": {"LIST-03"},
	"middle-page-drops-next-link":      {"ADD-04", "PAGE-05"},
	"mixed-add-duplicates-existing":    {"ADD-04"},
	"next-link-cycle":                  {"ADD-04", "PAGE-05", "REM-05"},
	"next-link-drops-api-version":      {"ADD-04", "PAGE-05", "REM-05"},
	"next-link-foreign-host":           {"ADD-04", "PAGE-05", "REM-05"},
	"next-link-relative":               {"REM-05"},
	"not-found-text-plain":             {"LIST-05", "REM-03"},
	"outsider-can-list":                {"REM-04"},
	"outsider-gets-401":                {"REM-04"},
	"page-size-plus-one":               {"REM-05"},
	"pages-overlap-by-one":             {"ADD-04", "PAGE-05", "REM-05"},
	"pages-skip-one":                   {"ADD-04", "PAGE-05", "REM-05"},
	"readd-duplicates-member":          {"ADD-04", "REM-02"},
	"readd-overwrites-details":         {"TIME-02"},
	"remove-takes-another-member":      {"ADD-04"},
	"short-last-page-repeats":          {"ADD-04"},
	"skip-ignored":                     {"ADD-04", "REM-05"},
	"skip-start-next-link-wrong":       {"ADD-04", "PAGE-03"},
	"time-ignores-sent-value":          {"ADD-04"},
	"time-invalid-stored-and-echoed":   {"TIME-01", "TIME-02"},
	"time-space-separator":             {"ADD-04"},
	"time-without-zone":                {"ADD-04"},
}

// withObserved adds observedElsewhere to each fault's Collateral.
func withObserved(fs []Fault) []Fault {
	for i := range fs {
		fs[i].Collateral = append(append([]string(nil), fs[i].Collateral...), observedElsewhere[fs[i].Name]...)
	}
	return fs
}
