package contract

import (
	"encoding/json"
	"fmt"
	"net/http"
	"testing"

	"github.com/chatconform/chatconform/internal/openapi"
	"github.com/chatconform/chatconform/internal/wire"
)

// page250 is a full listing page as the live service sends it (see the .NET
// recording): 250 participants, the documented thread maximum, each with
// rawId, communicationUser, displayName and shareHistoryTime.
func page250(tb testing.TB) []byte {
	tb.Helper()
	page := wire.ParticipantsCollection{
		NextLink: "https://acs-chat-ppe.unitedstates.ppe.communication.azure.net/chat/threads/19:x@thread.v2/participants?skip=250&maxPageSize=250&api-version=2024-03-07",
	}
	for i := range 250 {
		id := fmt.Sprintf("8:acs:356ba684-a8dc-4806-b39c-0fbf447c9b2e_00000027-fbcf-b0c2-a381-%012d", i)
		page.Value = append(page.Value, wire.Participant{
			CommunicationIdentifier: wire.UserIdentifier(id),
			DisplayName:             fmt.Sprintf("user%d", i),
			ShareHistoryTime:        "1970-01-01T00:00:00Z",
		})
	}
	b, err := json.Marshal(page)
	if err != nil {
		tb.Fatal(err)
	}
	return b
}

var jsonHeader = http.Header{"Content-Type": {"application/json; charset=utf-8"}}

func BenchmarkValidateListPage250(b *testing.B) {
	spec, err := openapi.Load(wire.APIVersionStable, "")
	if err != nil {
		b.Fatal(err)
	}
	body := page250(b)
	const path = "/chat/threads/19:x@thread.v2/participants?maxPageSize=250&api-version=2024-03-07"
	if vs := ValidateResponse(spec, "GET", path, 200, jsonHeader, body); len(vs) > 0 {
		b.Fatal(Format(vs, ""))
	}
	b.SetBytes(int64(len(body)))
	b.ReportAllocs()
	for b.Loop() {
		if vs := ValidateResponse(spec, "GET", path, 200, jsonHeader, body); vs != nil {
			b.Fatal(vs)
		}
	}
}

func BenchmarkValidateSchemaAddResult(b *testing.B) {
	spec, err := openapi.Load(wire.APIVersionStable, "")
	if err != nil {
		b.Fatal(err)
	}
	body := []byte(`{"invalidParticipants":[{"code":"403","message":"Permissions check failed","target":"8:acs:8540c0de-899f-5cce-acb5-3ec493af3800_a34d2d65-d72f-4c48-a12c-2d5c9ac75a1a"},{"code":"404","message":"Not found","target":"8:acs:8540c0de-899f-5cce-acb5-3ec493af3800_f6762773-e33a-4727-985f-50bd1d197c7b"}]}`)
	b.ReportAllocs()
	for b.Loop() {
		if vs := ValidateSchema(spec, "AddChatParticipantsResult", body); vs != nil {
			b.Fatal(vs)
		}
	}
}
