package refserver

import (
	"bytes"
	"net/http"
	"slices"
	"time"

	"github.com/chatconform/chatconform/internal/wire"
)

// createIdentity is POST /identities: a new user, plus a token when
// createTokenWithScopes is given.
func (s *Server) createIdentity(w http.ResponseWriter, r *http.Request, c *call) error {
	var req wire.CreateIdentityRequest
	if len(bytes.TrimSpace(c.body)) > 0 { // the SDKs send {}, but an empty body means the same
		if err := decodeJSON(c.body, &req); err != nil {
			return err
		}
	}
	minutes, err := tokenTerms(req.ExpiresInMinutes, req.CreateTokenWithScopes, true)
	if err != nil {
		return err
	}
	id := wire.UserRawIDPrefix + s.resourceID + "_" + newGUID()
	s.mu.Lock()
	u := &user{tokens: map[string]time.Time{}}
	s.users[id] = u
	res := wire.IdentityAccessTokenResult{Identity: wire.Identity{ID: id}}
	if len(req.CreateTokenWithScopes) > 0 {
		tok := s.issueToken(u, id, req.CreateTokenWithScopes, minutes)
		res.AccessToken = &tok
	}
	s.mu.Unlock()
	writeJSON(w, http.StatusCreated, res)
	return nil
}

// issueAccessToken is POST /identities/{id}/:issueAccessToken.
func (s *Server) issueAccessToken(w http.ResponseWriter, r *http.Request, c *call) error {
	var req wire.IssueTokenRequest
	if err := decodeJSON(c.body, &req); err != nil {
		return err
	}
	minutes, err := tokenTerms(req.ExpiresInMinutes, req.Scopes, false)
	if err != nil {
		return err
	}
	return s.asUser(r, func(u *user) error {
		writeJSON(w, http.StatusOK, s.issueToken(u, r.PathValue("id"), req.Scopes, minutes))
		return nil
	})
}

// revokeAccessTokens is POST /identities/{id}/:revokeAccessTokens: every
// token issued so far stops working, however recent.
func (s *Server) revokeAccessTokens(w http.ResponseWriter, r *http.Request, c *call) error {
	return s.asUser(r, func(u *user) error {
		clear(u.tokens)
		w.WriteHeader(http.StatusNoContent)
		return nil
	})
}

// deleteIdentity is DELETE /identities/{id}: the user and its tokens die.
func (s *Server) deleteIdentity(w http.ResponseWriter, r *http.Request, c *call) error {
	return s.asUser(r, func(u *user) error {
		u.deleted = true
		clear(u.tokens)
		w.WriteHeader(http.StatusNoContent)
		return nil
	})
}

// asUser runs f, holding s.mu, on the live user of the request's path
// (liveUser).
func (s *Server) asUser(r *http.Request, f func(u *user) error) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	u, err := s.liveUser(r.PathValue("id"))
	if err != nil {
		return err
	}
	return f(u)
}

// liveUser returns an existing, undeleted user or a 404. The caller holds s.mu.
func (s *Server) liveUser(id string) (*user, error) {
	u := s.users[id]
	if u == nil || u.deleted {
		return nil, errorf(http.StatusNotFound, "identity %q does not exist", id)
	}
	return u, nil
}

// tokenTerms checks what a token request asks for, its lifetime and its
// scopes (which only user creation may leave empty), and returns the
// lifetime in minutes.
func tokenTerms(expires *int, scopes []string, mayBeEmpty bool) (int, error) {
	minutes, err := tokenMinutes(expires)
	if err != nil {
		return 0, err
	}
	return minutes, checkScopes(scopes, mayBeEmpty)
}

// tokenMinutes validates expiresInMinutes (60..1440, default 1440).
func tokenMinutes(m *int) (int, error) {
	if m == nil {
		return defaultTokenMinutes, nil
	}
	if *m < minTokenMinutes || *m > maxTokenMinutes {
		return 0, errorf(http.StatusBadRequest, "expiresInMinutes must be between %d and %d, got %d", minTokenMinutes, maxTokenMinutes, *m)
	}
	return *m, nil
}

// checkScopes validates token scopes; issuing needs at least one.
func checkScopes(scopes []string, mayBeEmpty bool) error {
	if len(scopes) == 0 && !mayBeEmpty {
		return errorf(http.StatusBadRequest, "scopes must name at least one of %v", knownScopes)
	}
	for _, sc := range scopes {
		if !slices.Contains(knownScopes, sc) {
			return errorf(http.StatusBadRequest, "unknown token scope %q; known scopes: %v", sc, knownScopes)
		}
	}
	return nil
}
