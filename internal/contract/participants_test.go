package contract

import (
	"reflect"
	"testing"

	"github.com/chatconform/chatconform/internal/wire"
)

func ps(ids ...string) []wire.Participant {
	out := make([]wire.Participant, len(ids))
	for i, id := range ids {
		out[i] = wire.Participant{CommunicationIdentifier: wire.UserIdentifier(id)}
	}
	return out
}

func TestDiffParticipants(t *testing.T) {
	javaStyle := wire.Participant{CommunicationIdentifier: wire.Identifier{CommunicationUser: &wire.CommunicationUser{ID: "c"}}}
	cases := []struct {
		name                       string
		got                        []wire.Participant
		want                       []string
		missing, extra, duplicated []string
	}{
		{"equal sets, any order", ps("a", "b", "c"), []string{"c", "a", "b"}, nil, nil, nil},
		{"both empty", nil, nil, nil, nil, nil},
		{"missing", ps("a"), []string{"a", "b", "c"}, []string{"b", "c"}, nil, nil},
		{"extra", ps("a", "x", "b", "y"), []string{"a", "b"}, nil, []string{"x", "y"}, nil},
		{"duplicated, reported once", ps("a", "b", "a", "a", "b"), []string{"a", "b"}, nil, nil, []string{"a", "b"}},
		{"duplicated extra", ps("x", "x"), nil, nil, []string{"x"}, []string{"x"}},
		{"want repeats count once", ps("a"), []string{"a", "a", "b", "b"}, []string{"b"}, nil, nil},
		{"keyed by communicationUser.id without rawId", append(ps("a"), javaStyle), []string{"a", "c"}, nil, nil, nil},
		{"no id at all is an extra empty key", []wire.Participant{{}}, nil, nil, []string{""}, nil},
	}
	for _, c := range cases {
		m, e, d := DiffParticipants(c.got, c.want)
		if !reflect.DeepEqual(m, c.missing) || !reflect.DeepEqual(e, c.extra) || !reflect.DeepEqual(d, c.duplicated) {
			t.Errorf("%s: missing %q extra %q duplicated %q", c.name, m, e, d)
		}
	}
}
