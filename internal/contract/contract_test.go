package contract

import (
	"encoding/json"
	"reflect"
	"testing"
	"unicode/utf8"
)

func TestPointer(t *testing.T) {
	if got := Pointer("value", "2", "a/b", "m~n"); got != "/value/2/a~1b/m~0n" {
		t.Errorf("Pointer = %q", got)
	}
	if got := Pointer(); got != "" {
		t.Errorf("Pointer() = %q", got)
	}
}

func TestViolationString(t *testing.T) {
	vs := []Violation{
		{"LIST-01", "/value/0/rawId", "must be a string"},
		{"", "", "status 200 is not documented"},
		{"ERR-05", "", "the body is empty"},
	}
	want := "  [LIST-01] /value/0/rawId: must be a string\n  status 200 is not documented\n  [ERR-05] the body is empty"
	if got := Format(vs, "  "); got != want {
		t.Errorf("Format =\n%s\nwant\n%s", got, want)
	}
}

func TestSortViolations(t *testing.T) {
	vs := []Violation{{Pointer: "/value/10/a"}, {Pointer: "/value/2/b"}, {Pointer: "/nextLink"}, {Pointer: ""}, {Pointer: "/value/2"}, {Pointer: "/value/2/a", Message: "1"}, {Pointer: "/value/2/a", Message: "2"}}
	sortViolations(vs)
	var got []string
	for _, v := range vs {
		got = append(got, v.Pointer+v.Message)
	}
	want := []string{"", "/nextLink", "/value/2", "/value/2/a1", "/value/2/a2", "/value/2/b", "/value/10/a"}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("order %q", got)
	}
}

func TestShowAndTruncate(t *testing.T) {
	long := make([]any, 100)
	s := show(long)
	if len(s) > maxShown+len("…") || s[len(s)-len("…"):] != "…" {
		t.Errorf("show(long) = %q", s)
	}
	cut := truncate("ééééé", 3) // would split the second é
	if !utf8.ValidString(cut) || cut != "é…" {
		t.Errorf("truncate = %q", cut)
	}
	for v, want := range map[string]string{`null`: "null", `3`: "a number (3)", `"x"`: `a string ("x")`, `[1]`: "an array ([1])", `{"a":1}`: `an object ({"a":1})`, `true`: "a boolean (true)"} {
		var x any
		_ = json.Unmarshal([]byte(v), &x)
		if got := kindAndValue(x); got != want {
			t.Errorf("kindAndValue(%s) = %q", v, got)
		}
	}
}
