package client

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strings"

	"github.com/golang-jwt/jwt/v5"

	"github.com/chatconform/chatconform/internal/transcript"
	"github.com/chatconform/chatconform/internal/wire"
)

// The builders below describe one API call each; Do sends them. Keeping them
// pure lets a check mark the call it judges with NoRetry.

// ThreadPath is the path of a thread.
func ThreadPath(threadID string) string { return "/chat/threads/" + threadID }

// CreateThread builds POST /chat/threads.
func CreateThread(token, topic string, participants []wire.Participant) Request {
	return Request{Method: http.MethodPost, URL: "/chat/threads", Auth: Bearer(token),
		Body: mustJSON(wire.CreateThreadRequest{Topic: topic, Participants: participants})}
}

// DeleteThread builds DELETE /chat/threads/{id}.
func DeleteThread(token, threadID string) Request {
	return Request{Method: http.MethodDelete, URL: ThreadPath(threadID), Auth: Bearer(token)}
}

// AddParticipants builds POST …/participants/:add with a JSON body.
func AddParticipants(token, threadID string, participants ...wire.Participant) Request {
	return AddRaw(token, threadID, mustJSON(wire.AddParticipantsRequest{Participants: participants}))
}

// AddRaw builds POST …/participants/:add with arbitrary body bytes.
func AddRaw(token, threadID string, body []byte) Request {
	if body == nil {
		body = []byte{}
	}
	return Request{Method: http.MethodPost, URL: ThreadPath(threadID) + "/participants/:add", Auth: Bearer(token), Body: body}
}

// ListParticipants builds GET …/participants; empty maxPageSize or skip are
// left out, other values are sent verbatim (negative checks send "abc").
func ListParticipants(token, threadID, maxPageSize, skip string) Request {
	q := url.Values{}
	if maxPageSize != "" {
		q.Set("maxPageSize", maxPageSize)
	}
	if skip != "" {
		q.Set("skip", skip)
	}
	return Request{Method: http.MethodGet, URL: ThreadPath(threadID) + "/participants", Query: q, Auth: Bearer(token)}
}

// ListRaw builds GET …/participants with a query sent verbatim.
func ListRaw(token, threadID, rawQuery string) Request {
	return Request{Method: http.MethodGet, URL: ThreadPath(threadID) + "/participants", RawQuery: rawQuery, Auth: Bearer(token)}
}

// Follow builds a GET of a nextLink exactly as the server gave it.
func Follow(token, nextLink string) Request {
	return Request{Method: http.MethodGet, URL: nextLink, Auth: Bearer(token)}
}

// RemoveParticipant builds POST …/participants/:remove.
func RemoveParticipant(token, threadID, rawID string) Request {
	return Request{Method: http.MethodPost, URL: ThreadPath(threadID) + "/participants/:remove", Auth: Bearer(token),
		Body: mustJSON(wire.UserIdentifier(rawID))}
}

// CreateUser builds POST /identities, with a token of these scopes if any.
func CreateUser(scopes ...string) Request {
	return identity(http.MethodPost, "/identities", wire.CreateIdentityRequest{CreateTokenWithScopes: scopes})
}

// IssueToken builds POST /identities/{id}/:issueAccessToken.
func IssueToken(rawID string, scopes ...string) Request {
	return identity(http.MethodPost, "/identities/"+rawID+"/:issueAccessToken", wire.IssueTokenRequest{Scopes: scopes})
}

// RevokeTokens builds POST /identities/{id}/:revokeAccessTokens.
func RevokeTokens(rawID string) Request {
	return identity(http.MethodPost, "/identities/"+rawID+"/:revokeAccessTokens", nil)
}

// DeleteUser builds DELETE /identities/{id}.
func DeleteUser(rawID string) Request {
	return identity(http.MethodDelete, "/identities/"+rawID, nil)
}

func identity(method, path string, body any) Request {
	r := Request{Method: method, URL: path, APIVersion: wire.IdentityAPIVersion, Auth: HMAC()}
	if body != nil {
		r.Body = mustJSON(body)
	}
	return r
}

func mustJSON(v any) []byte {
	b, err := json.Marshal(v)
	if err != nil {
		panic(err) // only wire types are marshalled here
	}
	return b
}

// Expect performs req and decodes a response of the wanted status into out
// (when out is non-nil). Any other status is an error that carries the
// transcript. Setup code uses it; checks use Do and judge the response.
func (c *Client) Expect(ctx context.Context, req Request, status int, out any) (*transcript.Response, error) {
	resp, err := c.Do(ctx, req)
	if err != nil {
		return resp, err
	}
	if resp.Status != status {
		return resp, &StatusError{Want: status, Resp: resp}
	}
	if out != nil {
		if err := json.Unmarshal(resp.Body, out); err != nil {
			return resp, &StatusError{Want: status, Resp: resp, Decode: err}
		}
	}
	return resp, nil
}

// StatusError is an unexpected answer to a setup request.
type StatusError struct {
	Want   int
	Resp   *transcript.Response
	Decode error
}

func (e *StatusError) Error() string {
	if e.Decode != nil {
		return fmt.Sprintf("%s %s: status %d as expected but the body does not decode: %v\n%s",
			e.Resp.Exchange.Method, e.Resp.Exchange.URL, e.Resp.Status, e.Decode, e.Resp.Exchange)
	}
	return fmt.Sprintf("%s %s: want status %d, got %d\n%s",
		e.Resp.Exchange.Method, e.Resp.Exchange.URL, e.Want, e.Resp.Status, e.Resp.Exchange)
}

// User is an ACS user the suite acts as or adds.
type User struct {
	RawID string
	Token string // empty for users that are only added, never act
}

// NewUser mints a user with a chat token through the Identity API.
func (c *Client) NewUser(ctx context.Context) (User, error) {
	var res wire.IdentityAccessTokenResult
	if _, err := c.Expect(ctx, CreateUser("chat"), http.StatusCreated, &res); err != nil {
		return User{}, err
	}
	if res.AccessToken == nil || res.AccessToken.Token == "" {
		return User{}, fmt.Errorf("POST /identities with createTokenWithScopes returned no accessToken")
	}
	c.addSecret(res.AccessToken.Token)
	return User{RawID: res.Identity.ID, Token: res.AccessToken.Token}, nil
}

// NewIdentity mints a user without a token (a participant to add).
func (c *Client) NewIdentity(ctx context.Context) (User, error) {
	var res wire.IdentityAccessTokenResult
	if _, err := c.Expect(ctx, CreateUser(), http.StatusCreated, &res); err != nil {
		return User{}, err
	}
	return User{RawID: res.Identity.ID}, nil
}

// NewThread creates a thread as token's user and returns its id.
func (c *Client) NewThread(ctx context.Context, token, topic string) (string, error) {
	var res wire.CreateThreadResult
	if _, err := c.Expect(ctx, CreateThread(token, topic, nil), http.StatusCreated, &res); err != nil {
		return "", err
	}
	if res.ChatThread == nil || res.ChatThread.ID == "" {
		return "", fmt.Errorf("POST /chat/threads returned 201 without chatThread.id")
	}
	return res.ChatThread.ID, nil
}

// RawIDFromToken reads the acting user's raw id from a user access token's
// skypeid claim, without verifying it: the server verifies, the suite only
// needs to know who it is.
func RawIDFromToken(token string) (string, error) {
	claims := jwt.MapClaims{}
	if _, _, err := jwt.NewParser().ParseUnverified(token, claims); err != nil {
		return "", fmt.Errorf("not a JWT user access token: %v", err)
	}
	skype, _ := claims["skypeid"].(string)
	if skype == "" {
		return "", fmt.Errorf("the token has no skypeid claim, so the suite cannot tell which user it belongs to")
	}
	if !strings.HasPrefix(skype, "8:") {
		skype = "8:" + skype
	}
	return skype, nil
}

// WithAuth returns the request with other credentials.
func (r Request) WithAuth(a Auth) Request { r.Auth = a; return r }

// WithHeader returns the request with one more header.
func (r Request) WithHeader(k, v string) Request {
	h := r.Header.Clone()
	if h == nil {
		h = http.Header{}
	}
	h.Set(k, v)
	r.Header = h
	return r
}
