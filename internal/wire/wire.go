// Package wire holds the JSON shapes of the ACS Chat and Identity APIs as
// they travel on the wire. Times stay strings so that the exact form a
// server sent survives decoding (TIME-01/02 judge the text, not the instant).
package wire

import "strings"

// API versions the suite certifies and the Identity API version it mints with.
const (
	APIVersion20210307 = "2021-03-07"
	APIVersion20210907 = "2021-09-07"
	APIVersion20231107 = "2023-11-07"
	APIVersion20240307 = "2024-03-07"
	APIVersionPreview  = "2024-03-15-preview"
	APIVersion20250315 = "2025-03-15"

	// APIVersionStable is the GA version without metadata that single-version
	// tests and faults use.
	APIVersionStable = APIVersion20240307
	// APIVersionLatest is the version the current SDKs send by default
	// (@azure/communication-chat 1.6.0, .NET's LatestVersion).
	APIVersionLatest = APIVersion20250315

	IdentityAPIVersion = "2023-10-01"
	// IdentityAPIVersion20221001 is what Python's azure-communication-identity
	// 1.3.2 sends by default.
	IdentityAPIVersion20221001 = "2022-10-01"
)

// SupportedChatVersions lists the chat api-versions the suite knows, oldest
// first. Callers must not modify it.
var SupportedChatVersions = []string{
	APIVersion20210307, APIVersion20210907, APIVersion20231107,
	APIVersion20240307, APIVersionPreview, APIVersion20250315,
}

// KnownChatVersion reports whether the suite knows api-version v.
func KnownChatVersion(v string) bool {
	for _, k := range SupportedChatVersions {
		if k == v {
			return true
		}
	}
	return false
}

// HasMetadata reports whether participant (and thread) metadata exists in
// that api-version: 2024-03-15-preview and 2025-03-15.
func HasMetadata(apiVersion string) bool {
	return apiVersion == APIVersionPreview || apiVersion == APIVersion20250315
}

// HasRetentionPolicy reports whether create thread documents retentionPolicy
// in that api-version (the same versions as metadata).
func HasRetentionPolicy(apiVersion string) bool { return HasMetadata(apiVersion) }

// IdentifierKinds are the CommunicationIdentifierModelKind values an
// api-version documents. The 2021 versions' Common document is not public;
// their recordings and the 2022-07-13 Common document give the four below.
func IdentifierKinds(apiVersion string) []string {
	kinds := []string{"unknown", "communicationUser", "phoneNumber", "microsoftTeamsUser"}
	switch apiVersion {
	case APIVersion20240307, APIVersionPreview:
		kinds = append(kinds, "microsoftTeamsApp")
	case APIVersion20250315:
		kinds = append(kinds, "microsoftTeamsApp", "teamsExtensionUser")
	}
	return kinds
}

// CommunicationUser is the communicationUser sub-object of an identifier.
type CommunicationUser struct {
	ID string `json:"id"`
}

// PhoneNumber is the phoneNumber sub-object of an identifier.
type PhoneNumber struct {
	Value string `json:"value"`
}

// MicrosoftTeamsUser is the microsoftTeamsUser sub-object of an identifier.
type MicrosoftTeamsUser struct {
	UserID      string `json:"userId"`
	IsAnonymous *bool  `json:"isAnonymous,omitempty"`
	Cloud       string `json:"cloud,omitempty"`
}

// MicrosoftTeamsApp is the microsoftTeamsApp sub-object of an identifier.
type MicrosoftTeamsApp struct {
	AppID string `json:"appId"`
	Cloud string `json:"cloud,omitempty"`
}

// TeamsExtensionUser is the teamsExtensionUser sub-object of an identifier
// (api-version 2025-03-15).
type TeamsExtensionUser struct {
	UserID     string `json:"userId"`
	TenantID   string `json:"tenantId"`
	ResourceID string `json:"resourceId"`
	Cloud      string `json:"cloud,omitempty"`
}

// Identifier is CommunicationIdentifierModel.
type Identifier struct {
	Kind               string              `json:"kind,omitempty"`
	RawID              string              `json:"rawId,omitempty"`
	CommunicationUser  *CommunicationUser  `json:"communicationUser,omitempty"`
	PhoneNumber        *PhoneNumber        `json:"phoneNumber,omitempty"`
	MicrosoftTeamsUser *MicrosoftTeamsUser `json:"microsoftTeamsUser,omitempty"`
	MicrosoftTeamsApp  *MicrosoftTeamsApp  `json:"microsoftTeamsApp,omitempty"`
	TeamsExtensionUser *TeamsExtensionUser `json:"teamsExtensionUser,omitempty"`
}

// UserIdentifier is the identifier the SDKs send for an ACS user: rawId plus
// communicationUser, no kind.
func UserIdentifier(rawID string) Identifier {
	return Identifier{RawID: rawID, CommunicationUser: &CommunicationUser{ID: rawID}}
}

// Key is the raw id a participant is known by: rawId, else the
// communicationUser id (Java sends only communicationUser).
func (id Identifier) Key() string {
	if id.RawID != "" {
		return id.RawID
	}
	if id.CommunicationUser != nil {
		return id.CommunicationUser.ID
	}
	return ""
}

// Participant is ChatParticipant.
type Participant struct {
	CommunicationIdentifier Identifier        `json:"communicationIdentifier"`
	DisplayName             string            `json:"displayName,omitempty"`
	ShareHistoryTime        string            `json:"shareHistoryTime,omitempty"`
	Metadata                map[string]string `json:"metadata,omitempty"`
}

// AddParticipantsRequest is AddChatParticipantsRequest.
type AddParticipantsRequest struct {
	Participants []Participant `json:"participants"`
}

// AddParticipantsResult is AddChatParticipantsResult.
type AddParticipantsResult struct {
	InvalidParticipants []Error `json:"invalidParticipants,omitempty"`
}

// ParticipantsCollection is ChatParticipantsCollection, one page of a listing.
type ParticipantsCollection struct {
	Value    []Participant `json:"value"`
	NextLink string        `json:"nextLink,omitempty"`
}

// Error is CommunicationError.
type Error struct {
	Code       string  `json:"code"`
	Message    string  `json:"message"`
	Target     string  `json:"target,omitempty"`
	Details    []Error `json:"details,omitempty"`
	InnerError *Error  `json:"innererror,omitempty"`
}

// ErrorResponse is CommunicationErrorResponse, the documented error envelope.
type ErrorResponse struct {
	Error Error `json:"error"`
}

// ErrorCodes is the one table of error.code values by HTTP status: the
// reference server sends them and ERR-06 judges them, exactly and
// case-sensitively. It holds the six codes ERR-06 lists (400 BadRequest,
// 401 Unauthorized, 403 Forbidden, 404 NotFound, 429 TooManyRequests, 503
// ServiceUnavailable) and 413 PayloadTooLarge, the response the chat
// documents name for an oversized body. A status not in it has no
// documented code. Callers must not modify it.
var ErrorCodes = map[int]string{
	400: "BadRequest",
	401: "Unauthorized",
	403: "Forbidden",
	404: "NotFound",
	413: "PayloadTooLarge",
	429: "TooManyRequests",
	503: "ServiceUnavailable",
}

// ErrorCodeForStatus is ErrorCodes under its former name (the same map).
//
// Deprecated: use ErrorCodes.
var ErrorCodeForStatus = ErrorCodes

// CreateThreadRequest is CreateChatThreadRequest.
type CreateThreadRequest struct {
	Topic        string            `json:"topic"`
	Participants []Participant     `json:"participants,omitempty"`
	Metadata     map[string]string `json:"metadata,omitempty"`
}

// ThreadProperties is ChatThreadProperties.
type ThreadProperties struct {
	ID                               string            `json:"id"`
	Topic                            string            `json:"topic"`
	CreatedOn                        string            `json:"createdOn"`
	CreatedByCommunicationIdentifier Identifier        `json:"createdByCommunicationIdentifier"`
	DeletedOn                        string            `json:"deletedOn,omitempty"`
	Metadata                         map[string]string `json:"metadata,omitempty"`
}

// CreateThreadResult is CreateChatThreadResult.
type CreateThreadResult struct {
	ChatThread          *ThreadProperties `json:"chatThread,omitempty"`
	InvalidParticipants []Error           `json:"invalidParticipants,omitempty"`
}

// CreateIdentityRequest is CommunicationIdentityCreateRequest.
type CreateIdentityRequest struct {
	CreateTokenWithScopes []string `json:"createTokenWithScopes,omitempty"`
	ExpiresInMinutes      *int     `json:"expiresInMinutes,omitempty"`
}

// Identity is CommunicationIdentity.
type Identity struct {
	ID string `json:"id"`
}

// AccessToken is CommunicationIdentityAccessToken.
type AccessToken struct {
	Token     string `json:"token"`
	ExpiresOn string `json:"expiresOn"`
}

// IdentityAccessTokenResult is CommunicationIdentityAccessTokenResult.
type IdentityAccessTokenResult struct {
	Identity    Identity     `json:"identity"`
	AccessToken *AccessToken `json:"accessToken,omitempty"`
}

// IssueTokenRequest is CommunicationIdentityAccessTokenRequest.
type IssueTokenRequest struct {
	Scopes           []string `json:"scopes"`
	ExpiresInMinutes *int     `json:"expiresInMinutes,omitempty"`
}

// UserRawIDPrefix starts every ACS user raw id: 8:acs:<resourceId>_<guid>.
const UserRawIDPrefix = "8:acs:"

// IsACSUserRawID reports whether s has the ACS user raw id form
// 8:acs:<resourceId>_<suffix> with only id-safe characters.
func IsACSUserRawID(s string) bool {
	rest, ok := strings.CutPrefix(s, UserRawIDPrefix)
	if !ok {
		return false
	}
	resource, suffix, ok := strings.Cut(rest, "_")
	if !ok || resource == "" || suffix == "" {
		return false
	}
	for _, r := range rest {
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '-' || r == '_') {
			return false
		}
	}
	return true
}

// ResponseIdentifier is an ACS user's identifier as responses document it:
// kind, rawId and communicationUser (kind is "only required in responses").
func ResponseIdentifier(rawID string) Identifier {
	id := UserIdentifier(rawID)
	id.Kind = "communicationUser"
	return id
}

// PopulatedKind names the sub-object an identifier populates, the value
// its kind must have.
func (id Identifier) PopulatedKind() string {
	switch {
	case id.CommunicationUser != nil:
		return "communicationUser"
	case id.PhoneNumber != nil:
		return "phoneNumber"
	case id.MicrosoftTeamsUser != nil:
		return "microsoftTeamsUser"
	case id.MicrosoftTeamsApp != nil:
		return "microsoftTeamsApp"
	case id.TeamsExtensionUser != nil:
		return "teamsExtensionUser"
	}
	return "unknown"
}
