package refserver

import (
	"encoding/base64"
	"errors"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/golang-jwt/jwt/v5"

	"github.com/chatconform/chatconform/internal/hmacsig"
	"github.com/chatconform/chatconform/internal/wire"
)

// Token scopes of the Identity API (CommunicationIdentityTokenScope).
const (
	scopeChat            = "chat"
	scopeChatJoin        = "chat.join"
	scopeChatJoinLimited = "chat.join.limited"
	scopeVoIP            = "voip"
	scopeVoIPJoin        = "voip.join"
)

var knownScopes = []string{scopeChat, scopeVoIP, scopeChatJoin, scopeChatJoinLimited, scopeVoIPJoin}

// Token lifetimes (expiresInMinutes) allowed by the Identity API.
const (
	minTokenMinutes     = 60
	maxTokenMinutes     = 1440
	defaultTokenMinutes = 1440
)

// expiresOnLayout renders expiresOn like the live service:
// 2025-06-11T22:20:17.0404706+00:00 (always UTC).
const expiresOnLayout = "2006-01-02T15:04:05.0000000+00:00"

// tokenClaims is the live token layout (as mirrored by the Azure CLI test
// placeholder) plus jti: two tokens minted in the same second would
// otherwise be byte-identical, and revocation must tell them apart.
type tokenClaims struct {
	SkypeID    string `json:"skypeid"`
	Scp        int    `json:"scp"`
	Csi        string `json:"csi"`
	ACSScope   string `json:"acsScope"`
	ResourceID string `json:"resourceId"`
	jwt.RegisteredClaims
}

// issueToken mints a token for userID and records it as live.
// The caller holds s.mu and has checked that the user exists.
func (s *Server) issueToken(u *user, userID string, scopes []string, minutes int) wire.AccessToken {
	now := s.now()
	expires := now.Add(time.Duration(minutes) * time.Minute)
	jti := base64.RawURLEncoding.EncodeToString(randomBytes(12))
	claims := tokenClaims{
		SkypeID:    strings.TrimPrefix(userID, "8:"),
		Scp:        1792,
		Csi:        strconv.FormatInt(now.Unix(), 10),
		ACSScope:   strings.Join(scopes, ","),
		ResourceID: s.resourceID,
		RegisteredClaims: jwt.RegisteredClaims{
			IssuedAt:  jwt.NewNumericDate(now),
			ExpiresAt: jwt.NewNumericDate(expires),
			ID:        jti,
		},
	}
	tok := jwt.NewWithClaims(jwt.SigningMethodHS256, claims)
	tok.Header["kid"] = "1"
	signed, err := tok.SignedString(s.key)
	if err != nil {
		panic("refserver: signing a token: " + err.Error()) // HS256 with a non-empty key cannot fail
	}
	for id, exp := range u.tokens { // forget expired tokens so the map stays small
		if !exp.After(now) {
			delete(u.tokens, id)
		}
	}
	u.tokens[jti] = expires
	return wire.AccessToken{Token: signed, ExpiresOn: expires.UTC().Format(expiresOnLayout)}
}

// authenticateBearer checks the chat caller's token and returns its user
// raw id and scopes. Every failure is a 401 with the reason.
func (s *Server) authenticateBearer(r *http.Request) (userID string, scopes []string, err error) {
	auth := r.Header.Get("Authorization")
	if auth == "" {
		return "", nil, errorf(http.StatusUnauthorized, "the Authorization header is missing; send Authorization: Bearer <user access token>")
	}
	scheme, raw, _ := strings.Cut(auth, " ")
	raw = strings.TrimSpace(raw)
	if !strings.EqualFold(scheme, "Bearer") || raw == "" {
		return "", nil, errorf(http.StatusUnauthorized, "the Authorization header must be Bearer <user access token>")
	}
	now := s.now()
	var claims tokenClaims
	_, err = jwt.ParseWithClaims(raw, &claims, func(*jwt.Token) (any, error) { return s.key, nil },
		jwt.WithValidMethods([]string{jwt.SigningMethodHS256.Alg()}),
		jwt.WithExpirationRequired(),
		jwt.WithTimeFunc(func() time.Time { return now }))
	switch {
	case errors.Is(err, jwt.ErrTokenExpired):
		return "", nil, errorf(http.StatusUnauthorized, "the access token has expired")
	case errors.Is(err, jwt.ErrTokenSignatureInvalid):
		return "", nil, errorf(http.StatusUnauthorized, "the access token signature is invalid")
	case err != nil:
		return "", nil, errorf(http.StatusUnauthorized, "the access token is malformed or invalid: %v", err)
	}
	userID = "8:" + claims.SkypeID
	s.mu.Lock()
	u := s.users[userID]
	exp, live := time.Time{}, false
	if u != nil {
		exp, live = u.tokens[claims.ID]
	}
	s.mu.Unlock()
	switch {
	case u == nil:
		return "", nil, errorf(http.StatusUnauthorized, "the access token was not issued by this resource")
	case u.deleted:
		return "", nil, errorf(http.StatusUnauthorized, "the identity %s has been deleted", userID)
	case !live:
		return "", nil, errorf(http.StatusUnauthorized, "the access token has been revoked or was not issued by this resource")
	case !exp.After(now):
		return "", nil, errorf(http.StatusUnauthorized, "the access token has expired")
	}
	scopes = strings.Split(claims.ACSScope, ",")
	if !slices.Contains(scopes, scopeChat) && !slices.Contains(scopes, scopeChatJoin) && !slices.Contains(scopes, scopeChatJoinLimited) {
		return "", nil, errorf(http.StatusUnauthorized, "the access token has no chat scope (scopes: %q)", claims.ACSScope)
	}
	return userID, scopes, nil
}

// requireScope answers 403 unless the token carries one of the scopes
// that allow op (chat.join cannot manage threads, chat.join.limited not
// even participants).
func (c *call) requireScope(op string, allowed ...string) error {
	for _, s := range c.scopes {
		if slices.Contains(allowed, s) {
			return nil
		}
	}
	return errorf(http.StatusForbidden, "the token's scopes %v do not allow %s (needs one of %v)", c.scopes, op, allowed)
}

// verifyHMAC checks an Identity request's access-key signature over the
// exact request target received.
func (s *Server) verifyHMAC(r *http.Request, body []byte) error {
	if err := hmacsig.Verify(r, r.RequestURI, body, s.key, s.now()); err != nil {
		return errorf(http.StatusUnauthorized, "HMAC authentication failed: %v", err)
	}
	return nil
}
