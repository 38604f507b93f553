package refserver

import "net/http"

// routes is the whole API surface of the reference server. Thread and
// identity ids arrive raw (19:x@thread.v2) or percent-encoded
// (19%3Ax%40thread.v2); ServeMux unescapes path values either way.
func (s *Server) routes() http.Handler {
	mux := http.NewServeMux()

	// Identity API: access-key HMAC, never rate-limited.
	mux.Handle("POST /identities", s.identityAPI(s.createIdentity))
	mux.Handle("DELETE /identities/{id}", s.identityAPI(s.deleteIdentity))
	mux.Handle("POST /identities/{id}/:issueAccessToken", s.identityAPI(s.issueAccessToken))
	mux.Handle("POST /identities/{id}/:revokeAccessTokens", s.identityAPI(s.revokeAccessTokens))

	// Chat API: Bearer user token.
	mux.Handle("POST /chat/threads", s.chatAPI(limitThreads, s.createThread))
	mux.Handle("GET /chat/threads/{threadId}", s.chatAPI(limitNone, s.getThread))
	mux.Handle("DELETE /chat/threads/{threadId}", s.chatAPI(limitThreads, s.deleteThread))
	mux.Handle("GET /chat/threads/{threadId}/participants", s.chatAPI(limitList, s.listParticipants))
	mux.Handle("POST /chat/threads/{threadId}/participants/:add", s.chatAPI(limitMembers, s.addParticipants))
	mux.Handle("POST /chat/threads/{threadId}/participants/:remove", s.chatAPI(limitMembers, s.removeParticipant))

	return s.common(s.fallback(mux))
}
