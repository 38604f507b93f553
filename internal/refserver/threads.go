package refserver

import (
	"encoding/json"
	"maps"
	"net/http"
	"slices"
	"strings"

	"github.com/chatconform/chatconform/internal/wire"
)

// createThread is POST /chat/threads. The creator becomes the first
// participant; repeatability-request-id replays the first response.
func (s *Server) createThread(w http.ResponseWriter, r *http.Request, c *call) error {
	if err := c.requireScope("creating threads", scopeChat); err != nil {
		return err
	}
	var req struct {
		Topic           *string          `json:"topic"`
		Participants    *[]participantIn `json:"participants"`
		Metadata        json.RawMessage  `json:"metadata"`
		RetentionPolicy json.RawMessage  `json:"retentionPolicy"`
	}
	if err := decodeJSON(c.body, &req); err != nil {
		return err
	}
	if req.Topic == nil || *req.Topic == "" {
		return errorf(http.StatusBadRequest, "topic is required and must not be empty")
	}
	var in []participantIn
	if req.Participants != nil {
		in = *req.Participants
	}
	add, err := parseMembers(in, c.apiVersion)
	if err != nil {
		return err
	}
	metadata, err := parseMetadata(req.Metadata, c.apiVersion, "metadata")
	if err != nil {
		return err
	}
	retention, err := parseRetentionPolicy(req.RetentionPolicy, c.apiVersion)
	if err != nil {
		return err
	}

	s.mu.Lock()
	defer s.mu.Unlock()
	// Look up and record under one lock so concurrent retries of the same
	// request create one thread.
	rk := repeatKey{c.user, r.Header.Get("repeatability-request-id")}
	if rk.requestID != "" {
		if prev := s.repeats[rk]; prev != nil {
			w.Header().Set("Location", prev.location)
			writeJSON(w, http.StatusCreated, prev.body)
			return nil
		}
	}
	now := s.now().UTC()
	t := &thread{
		id:        newThreadID(),
		topic:     *req.Topic,
		createdOn: now,
		createdBy: c.user,
		metadata:  metadata,
		retention: retention,
	}
	// The creator comes first, with the attributes it was listed with, if any.
	creator := &member{id: c.user, shareHistory: epoch}
	for i, m := range add {
		if m.id == c.user {
			creator = m
			add = append(add[:i:i], add[i+1:]...)
			break
		}
	}
	t.members = []*member{creator}
	invalid, err := s.addMembers(t, add)
	if err != nil {
		return err
	}
	s.threads[t.id] = t
	res := createThreadResult{ChatThread: threadOut(t, c.apiVersion), InvalidParticipants: invalid}
	// Only ':' is percent-encoded in the live service's Location.
	loc := s.baseURL(r) + "/chat/threads/" + strings.ReplaceAll(t.id, ":", "%3A")
	if rk.requestID != "" {
		s.repeats[rk] = &recordedResponse{location: loc, body: res}
	}
	w.Header().Set("Location", loc)
	writeJSON(w, http.StatusCreated, res)
	return nil
}

// getThread is GET /chat/threads/{threadId}.
func (s *Server) getThread(w http.ResponseWriter, r *http.Request, c *call) error {
	return s.inThread(r, c, func(t *thread) error {
		writeJSON(w, http.StatusOK, threadOut(t, c.apiVersion))
		return nil
	})
}

// deleteThread is DELETE /chat/threads/{threadId}; afterwards the thread is 404.
func (s *Server) deleteThread(w http.ResponseWriter, r *http.Request, c *call) error {
	if err := c.requireScope("deleting threads", scopeChat); err != nil {
		return err
	}
	return s.inThread(r, c, func(t *thread) error {
		delete(s.threads, t.id)
		w.WriteHeader(http.StatusNoContent)
		return nil
	})
}

// threadProperties is ChatThreadProperties with the retentionPolicy that
// package wire does not model.
type threadProperties struct {
	*wire.ThreadProperties
	RetentionPolicy *retentionPolicy `json:"retentionPolicy,omitempty"`
}

// createThreadResult is CreateChatThreadResult with threadProperties.
type createThreadResult struct {
	ChatThread          threadProperties `json:"chatThread"`
	InvalidParticipants []wire.Error     `json:"invalidParticipants,omitempty"`
}

// threadOut renders ChatThreadProperties as apiVersion documents them:
// metadata and retentionPolicy only where they exist (wire.HasMetadata,
// wire.HasRetentionPolicy). A thread without a policy shows {"kind":"none"}
// where that kind exists (2025-03-15, as the live service answers) and no
// retentionPolicy on the preview, whose only kind is threadCreationDate.
func threadOut(t *thread, apiVersion string) threadProperties {
	p := threadProperties{ThreadProperties: &wire.ThreadProperties{
		ID:                               t.id,
		Topic:                            t.topic,
		CreatedOn:                        t.createdOn.Format(shareHistoryLayout),
		CreatedByCommunicationIdentifier: wire.ResponseIdentifier(t.createdBy),
	}}
	if wire.HasMetadata(apiVersion) && len(t.metadata) > 0 {
		p.Metadata = maps.Clone(t.metadata)
	}
	switch {
	case !wire.HasRetentionPolicy(apiVersion):
	case t.retention != nil:
		rp := *t.retention
		p.RetentionPolicy = &rp
	case slices.Contains(retentionKinds(apiVersion), retentionNone):
		p.RetentionPolicy = &retentionPolicy{Kind: retentionNone}
	}
	return p
}
