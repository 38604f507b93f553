package refserver

import (
	"encoding/json"
	"net/http"
	"slices"
	"strings"

	"github.com/chatconform/chatconform/internal/wire"
)

// Retention policy kinds (RetentionPolicyKind).
const (
	retentionThreadCreationDate = "threadCreationDate"
	retentionNone               = "none"
)

// The range of deleteThreadAfterDays: "automatic deletion between 30 and 90
// days via the retention policy on the Create Chat Thread API"
// (MicrosoftDocs/azure-docs, communication-services/concepts/chat/concepts.md).
// The specs document only an int32.
const (
	minRetentionDays = 30
	maxRetentionDays = 90
)

// retentionPolicy is ChatRetentionPolicy as the server keeps and returns
// it: ThreadCreationDateRetentionPolicy with its days, or NoneRetentionPolicy.
type retentionPolicy struct {
	Kind                  string `json:"kind"`
	DeleteThreadAfterDays *int32 `json:"deleteThreadAfterDays,omitempty"`
}

// retentionKinds are the RetentionPolicyKind values apiVersion documents:
// threadCreationDate on 2024-03-15-preview, plus none on 2025-03-15; none
// where there is no retentionPolicy.
func retentionKinds(apiVersion string) []string {
	switch {
	case !wire.HasRetentionPolicy(apiVersion):
		return nil
	case apiVersion == wire.APIVersionPreview:
		return []string{retentionThreadCreationDate}
	}
	return []string{retentionThreadCreationDate, retentionNone}
}

// parseRetentionPolicy validates a create-thread retentionPolicy and returns
// the policy to keep: nil for none or for no policy at all. Where the
// api-version has no retentionPolicy it is ignored, whatever it holds.
func parseRetentionPolicy(raw json.RawMessage, apiVersion string) (*retentionPolicy, error) {
	if !wire.HasRetentionPolicy(apiVersion) || !present(raw) {
		return nil, nil
	}
	var in struct {
		Kind *string `json:"kind"`
		Days *int32  `json:"deleteThreadAfterDays"`
	}
	if err := json.Unmarshal(raw, &in); err != nil {
		return nil, errorf(http.StatusBadRequest, "retentionPolicy must be a ChatRetentionPolicy object: %s", describeJSONError(err))
	}
	kinds := retentionKinds(apiVersion)
	switch {
	case in.Kind == nil:
		return nil, errorf(http.StatusBadRequest, "retentionPolicy.kind is required (%s)", strings.Join(kinds, " or "))
	case !slices.Contains(kinds, *in.Kind):
		return nil, errorf(http.StatusBadRequest, "retentionPolicy.kind %q is not a retention policy kind of api-version %s (%s)", *in.Kind, apiVersion, strings.Join(kinds, " or "))
	case *in.Kind == retentionNone:
		return nil, nil // NoneRetentionPolicy has no deleteThreadAfterDays: an unknown property
	case in.Days == nil:
		return nil, errorf(http.StatusBadRequest, "retentionPolicy.deleteThreadAfterDays is required for kind %s", retentionThreadCreationDate)
	case *in.Days < minRetentionDays || *in.Days > maxRetentionDays:
		return nil, errorf(http.StatusBadRequest, "retentionPolicy.deleteThreadAfterDays is %d; it must be between %d and %d", *in.Days, minRetentionDays, maxRetentionDays)
	}
	return &retentionPolicy{Kind: retentionThreadCreationDate, DeleteThreadAfterDays: in.Days}, nil
}
