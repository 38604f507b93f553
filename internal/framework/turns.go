package framework

import (
	"context"
	"sync"
)

// STATE-01 runs its sequences on goroutines of their own, but Gomega's
// InterceptGomegaFailure and Ginkgo's Fail are the spec goroutine's: so the
// sequences take turns. Each holds the turn while it decides and judges,
// and gives it up only while one of its requests is in flight, so the
// round trips overlap and the judging stays one at a time.
type turnKey struct{}

// withTurns makes ctx carry the turn mu, which the caller holds.
func withTurns(ctx context.Context, mu *sync.Mutex) context.Context {
	return context.WithValue(ctx, turnKey{}, mu)
}

// inFlight runs send, a request's round trip, without the turn ctx
// carries (if any), and takes the turn back however send ends.
func inFlight(ctx context.Context, send func()) {
	mu, _ := ctx.Value(turnKey{}).(*sync.Mutex)
	if mu == nil {
		send()
		return
	}
	mu.Unlock()
	defer mu.Lock()
	send()
}
