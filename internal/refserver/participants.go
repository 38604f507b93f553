package refserver

import (
	"encoding/json"
	"fmt"
	"maps"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/chatconform/chatconform/internal/limits"
	"github.com/chatconform/chatconform/internal/wire"
)

// Limits of the reference server's own beyond the documented ones
// (package limits): service-limits.md states neither.
const (
	maxDisplayNameChars = 256
	defaultPageSize     = 100
)

// shareHistoryLayout is how times are returned: UTC, second precision.
const shareHistoryLayout = "2006-01-02T15:04:05Z"

// epoch is the shareHistoryTime of a participant added without one.
var epoch = time.Unix(0, 0).UTC()

// identifierIn is CommunicationIdentifierModel as a request may carry it;
// the other identifier kinds are kept raw only to reject them clearly.
type identifierIn struct {
	Kind              string `json:"kind"`
	RawID             string `json:"rawId"`
	CommunicationUser *struct {
		ID string `json:"id"`
	} `json:"communicationUser"`
	PhoneNumber        json.RawMessage `json:"phoneNumber"`
	MicrosoftTeamsUser json.RawMessage `json:"microsoftTeamsUser"`
	MicrosoftTeamsApp  json.RawMessage `json:"microsoftTeamsApp"`  // from 2024-03-07
	TeamsExtensionUser json.RawMessage `json:"teamsExtensionUser"` // from 2025-03-15
}

// otherKinds names the sub-objects of id other than communicationUser that
// apiVersion defines and id populates. A sub-object the version does not
// define is an unknown property there, ignored like any other: the
// identifier is judged on what remains.
func (id *identifierIn) otherKinds(apiVersion string) []string {
	var out []string
	for _, k := range []struct {
		kind string
		raw  json.RawMessage
	}{
		{"phoneNumber", id.PhoneNumber},
		{"microsoftTeamsUser", id.MicrosoftTeamsUser},
		{"microsoftTeamsApp", id.MicrosoftTeamsApp},
		{"teamsExtensionUser", id.TeamsExtensionUser},
	} {
		if present(k.raw) && slices.Contains(wire.IdentifierKinds(apiVersion), k.kind) {
			out = append(out, k.kind)
		}
	}
	return out
}

// participantIn is ChatParticipant as a request may carry it. Optional
// fields are pointers or raw so "absent" and "wrong" stay distinguishable.
type participantIn struct {
	CommunicationIdentifier *identifierIn   `json:"communicationIdentifier"`
	DisplayName             *string         `json:"displayName"`
	ShareHistoryTime        *string         `json:"shareHistoryTime"`
	Metadata                json.RawMessage `json:"metadata"`
}

// present reports whether an optional raw JSON member was sent as non-null.
func present(raw json.RawMessage) bool { return len(raw) > 0 && string(raw) != "null" }

// userID validates an identifier as apiVersion defines it and returns the
// ACS user raw id it names.
func (id *identifierIn) userID(field, apiVersion string) (string, error) {
	if id == nil {
		return "", errorf(http.StatusBadRequest, "%s is required", field)
	}
	if id.Kind != "" && !strings.EqualFold(id.Kind, "communicationUser") {
		if !slices.Contains(wire.IdentifierKinds(apiVersion), id.Kind) {
			return "", errorf(http.StatusBadRequest, "%s.kind %q is not an identifier kind of api-version %s (%s)", field, id.Kind, apiVersion, strings.Join(wire.IdentifierKinds(apiVersion), ", "))
		}
		return "", errorf(http.StatusBadRequest, "%s.kind %q is not supported: chat participants here are ACS users (communicationUser)", field, id.Kind)
	}
	if kinds := id.otherKinds(apiVersion); len(kinds) > 0 {
		return "", errorf(http.StatusBadRequest, "%s must identify an ACS user (communicationUser), not a phone number or Teams identity (it has %s)", field, strings.Join(kinds, ", "))
	}
	raw := id.RawID
	if id.CommunicationUser != nil {
		switch cu := id.CommunicationUser.ID; {
		case raw == "":
			raw = cu
		case cu != raw:
			return "", errorf(http.StatusBadRequest, "%s.rawId %q and communicationUser.id %q disagree", field, raw, cu)
		}
	}
	if raw == "" {
		return "", errorf(http.StatusBadRequest, "%s has no id: send rawId and/or communicationUser.id", field)
	}
	if !wire.IsACSUserRawID(raw) {
		return "", errorf(http.StatusBadRequest, "Identifier format is invalid (%s): %s must be 8:acs:<resourceId>_<id>", raw, field)
	}
	return raw, nil
}

// parseMembers validates participants and returns them as members, the
// first occurrence of a repeated id winning. Any invalid field fails the
// whole request, so nothing is added.
func parseMembers(in []participantIn, apiVersion string) ([]*member, error) {
	if len(in) > limits.ParticipantsPerRequest {
		return nil, errorf(http.StatusBadRequest, "%d participants in one request; at most %d are allowed", len(in), limits.ParticipantsPerRequest)
	}
	out := make([]*member, 0, len(in))
	seen := map[string]bool{}
	for i, p := range in {
		field := fmt.Sprintf("participants[%d]", i)
		id, err := p.CommunicationIdentifier.userID(field+".communicationIdentifier", apiVersion)
		if err != nil {
			return nil, err
		}
		m := &member{id: id, shareHistory: epoch}
		if p.DisplayName != nil {
			if n := utf8.RuneCountInString(*p.DisplayName); n > maxDisplayNameChars {
				return nil, errorf(http.StatusBadRequest, "%s.displayName has %d characters; at most %d are allowed", field, n, maxDisplayNameChars)
			}
			m.displayName = *p.DisplayName
		}
		if p.ShareHistoryTime != nil {
			t, err := parseRFC3339(*p.ShareHistoryTime)
			if err != nil {
				return nil, errorf(http.StatusBadRequest, "%s.shareHistoryTime %q is not an RFC 3339 date-time (yyyy-MM-ddTHH:mm:ssZ)", field, *p.ShareHistoryTime)
			}
			m.shareHistory = t.UTC().Truncate(time.Second) // the service keeps seconds
		}
		if m.metadata, err = parseMetadata(p.Metadata, apiVersion, field+".metadata"); err != nil {
			return nil, err
		}
		if !seen[id] {
			seen[id] = true
			out = append(out, m)
		}
	}
	return out, nil
}

// parseRFC3339 parses an RFC 3339 date-time. RFC 3339 §5.6 allows the
// separator T and the zone Z in lower case; Go's parser does not.
func parseRFC3339(s string) (time.Time, error) {
	if b := []byte(s); len(b) > 10 {
		if b[10] == 't' {
			b[10] = 'T'
		}
		if b[len(b)-1] == 'z' {
			b[len(b)-1] = 'Z'
		}
		s = string(b)
	}
	return time.Parse(time.RFC3339, s)
}

// parseMetadata decodes participant or thread metadata. It exists only in
// the api-versions wire.HasMetadata names (2024-03-15-preview and
// 2025-03-15); on the others it is ignored, whatever it holds.
func parseMetadata(raw json.RawMessage, apiVersion, field string) (map[string]string, error) {
	if !wire.HasMetadata(apiVersion) || !present(raw) {
		return nil, nil
	}
	// Decode through pointers: into map[string]string a JSON null value
	// would silently become "".
	var raws map[string]*string
	if err := json.Unmarshal(raw, &raws); err != nil {
		return nil, errorf(http.StatusBadRequest, "%s must be an object of string values: %s", field, describeJSONError(err))
	}
	md := make(map[string]string, len(raws))
	for k, v := range raws {
		if v == nil {
			return nil, errorf(http.StatusBadRequest, "%s.%s is null; metadata values must be strings", field, k)
		}
		md[k] = *v
	}
	size := 0
	for k, v := range md {
		size += len(k) + len(v)
	}
	if size > limits.MetadataBytes {
		return nil, errorf(http.StatusBadRequest, "%s totals %d bytes; all pairs together may be at most %d", field, size, limits.MetadataBytes)
	}
	if len(md) == 0 {
		return nil, nil
	}
	return md, nil
}

// addMembers adds the new members to t, leaving existing ones untouched,
// and reports unknown users as invalidParticipants. If the thread would
// exceed its capacity nothing is added. The caller holds s.mu.
func (s *Server) addMembers(t *thread, add []*member) ([]wire.Error, error) {
	var fresh []*member
	var invalid []wire.Error
	for _, m := range add {
		switch u := s.users[m.id]; {
		case t.find(m.id) >= 0:
			// "If participants already exist, no change occurs."
		case u == nil || u.deleted:
			invalid = append(invalid, wire.Error{Code: "404", Message: "Not found", Target: m.id})
		default:
			fresh = append(fresh, m)
		}
	}
	if n := len(t.members) + len(fresh); n > limits.ParticipantsPerThread {
		return nil, errorf(http.StatusBadRequest, "the thread would have %d participants; at most %d are allowed", n, limits.ParticipantsPerThread)
	}
	t.members = append(t.members, fresh...)
	return invalid, nil
}

// memberThread returns the thread if it exists and the caller is one of
// its participants. The caller holds s.mu.
func (s *Server) memberThread(threadID, caller string) (*thread, error) {
	t := s.threads[threadID]
	if t == nil {
		return nil, errorf(http.StatusNotFound, "chat thread %q does not exist", threadID)
	}
	if t.find(caller) < 0 {
		return nil, errorf(http.StatusForbidden, "the caller %s is not a participant of chat thread %q", caller, threadID)
	}
	return t, nil
}

// inThread runs f, holding s.mu, on the thread of the request's path if
// the caller is one of its participants (memberThread).
func (s *Server) inThread(r *http.Request, c *call, f func(t *thread) error) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	t, err := s.memberThread(r.PathValue("threadId"), c.user)
	if err != nil {
		return err
	}
	return f(t)
}

// addParticipants is POST /chat/threads/{threadId}/participants/:add.
func (s *Server) addParticipants(w http.ResponseWriter, r *http.Request, c *call) error {
	if err := c.requireScope("adding participants", scopeChat, scopeChatJoin); err != nil {
		return err
	}
	var req struct {
		Participants *[]participantIn `json:"participants"`
	}
	if err := decodeJSON(c.body, &req); err != nil {
		return err
	}
	if req.Participants == nil {
		return errorf(http.StatusBadRequest, "participants is required (an array of ChatParticipant)")
	}
	add, err := parseMembers(*req.Participants, c.apiVersion)
	if err != nil {
		return err
	}
	return s.inThread(r, c, func(t *thread) error {
		invalid, err := s.addMembers(t, add)
		if err != nil {
			return err
		}
		writeJSON(w, http.StatusCreated, wire.AddParticipantsResult{InvalidParticipants: invalid})
		return nil
	})
}

// removeParticipant is POST /chat/threads/{threadId}/participants/:remove;
// the body is the bare identifier. Removing a non-member is a no-op.
func (s *Server) removeParticipant(w http.ResponseWriter, r *http.Request, c *call) error {
	if err := c.requireScope("removing participants", scopeChat, scopeChatJoin); err != nil {
		return err
	}
	var id identifierIn
	if err := decodeJSON(c.body, &id); err != nil {
		return err
	}
	target, err := id.userID("the identifier", c.apiVersion)
	if err != nil {
		return err
	}
	return s.inThread(r, c, func(t *thread) error {
		if i := t.find(target); i >= 0 {
			t.members = append(t.members[:i:i], t.members[i+1:]...)
		}
		w.WriteHeader(http.StatusNoContent)
		return nil
	})
}

// listParticipants is GET /chat/threads/{threadId}/participants, paged by
// skip and maxPageSize with an absolute nextLink while items remain.
func (s *Server) listParticipants(w http.ResponseWriter, r *http.Request, c *call) error {
	q := r.URL.Query()
	size, err := intParam(q, "maxPageSize", defaultPageSize, 1)
	if err != nil {
		return err
	}
	skip, err := intParam(q, "skip", 0, 0)
	if err != nil {
		return err
	}
	page := wire.ParticipantsCollection{Value: []wire.Participant{}}
	err = s.inThread(r, c, func(t *thread) error {
		end := len(t.members)
		if skip < end {
			end = min(end, skip+size)
			for _, m := range t.members[skip:end] {
				page.Value = append(page.Value, participantOut(m, c.apiVersion))
			}
			if end < len(t.members) {
				page.NextLink = fmt.Sprintf("%s/chat/threads/%s/participants?skip=%d&maxPageSize=%d&api-version=%s",
					s.baseURL(r), t.id, end, size, url.QueryEscape(c.apiVersion))
			}
		}
		return nil
	})
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, page) // after the lock is released
	return nil
}

// participantOut renders a member as documented: kind, rawId and
// communicationUser (the live service omits kind; LIST-03 asks for it),
// displayName and metadata omitted when unset, metadata only where
// apiVersion has it (wire.HasMetadata), whichever version stored it.
func participantOut(m *member, apiVersion string) wire.Participant {
	p := wire.Participant{
		CommunicationIdentifier: wire.ResponseIdentifier(m.id),
		DisplayName:             m.displayName,
		ShareHistoryTime:        m.shareHistory.Format(shareHistoryLayout),
	}
	if wire.HasMetadata(apiVersion) {
		p.Metadata = maps.Clone(m.metadata)
	}
	return p
}

// intParam parses an optional int32 query parameter that must be >= low.
func intParam(q url.Values, name string, def, low int) (int, error) {
	if !q.Has(name) {
		return def, nil
	}
	v := q.Get(name)
	n, err := strconv.ParseInt(v, 10, 32)
	if err != nil || int(n) < low {
		return 0, errorf(http.StatusBadRequest, "query parameter %s must be an integer >= %d, got %q", name, low, v)
	}
	return int(n), nil
}
